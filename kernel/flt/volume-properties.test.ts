import { describe, expect, it } from 'vitest'
import { FltGetVolumeProperties, type FLT_VOLUME_PROPERTIES } from './volume-properties.ts'
import { bootMachine, filterModule } from './test-support.ts'
import { ref } from './types.ts'
import { STATUS } from '../nt/status.ts'

describe('FltGetVolumeProperties', () => {
  it('gives an instance the volume\'s sector size and device names in InstanceSetup', () => {
    const m = bootMachine()
    let props: FLT_VOLUME_PROPERTIES | undefined
    let status: number | undefined
    const r = m.fltmc.load(
      filterModule('props', '100000', () => ({
        InstanceSetupCallback: (FltObjects) => {
          const p = ref<FLT_VOLUME_PROPERTIES>()
          status = FltGetVolumeProperties(FltObjects.Volume, p)
          props = p.value
          return STATUS.STATUS_SUCCESS
        },
      })),
    )
    expect(r.statusName).toBe('STATUS_SUCCESS')
    expect(status).toBe(STATUS.STATUS_SUCCESS)
    expect(props).toMatchObject({ SectorSize: 512, RealDeviceName: '\\Device\\HarddiskVolume1', FileSystemDriverName: '\\FileSystem\\Ntfs', DeviceType: 0x8 })
  })
})
