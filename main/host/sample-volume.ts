// What C: holds when a machine boots: a small, realistic Windows tree (Users, Windows,
// Program Files, ProgramData), described as a volume recipe and built into the image before
// the volume is mounted, so nothing of it shows in the trace. Deterministic: the same recipe,
// byte for byte, every time.
//
// It has what the Explorer pane needs to show its behaviours: nested folders, documents of
// some KiB, a folder of a few hundred files (scrolling), a file with an alternate data stream
// (Zone.Identifier, as a browser leaves on a download), hidden files (desktop.ini, AppData,
// ProgramData), a read-only file and a junction (`Documents and Settings`).

import type { Recipe, RecipeFile } from '../../kernel/fs/ntfs/disk/recipe.ts'
import { encodeReparsePoint } from '../../kernel/rtl/structs/reparse.ts'

/** IO_REPARSE_TAG_MOUNT_POINT (a junction) */
const IO_REPARSE_TAG_MOUNT_POINT = 0xa0000003

/** how many pictures the Camera Roll folder holds */
export const CAMERA_ROLL_COUNT = 320

const WINDOWS_INSTALLED = '2023-05-06T08:12:40Z'
const USER_CREATED = '2023-09-14T16:02:11Z'

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')

/** the data part of a mount point reparse buffer (the 8-byte header is the store's) */
function junctionTo(target: string): { tag: number; hex: string } {
  const full = encodeReparsePoint({ ReparseTag: IO_REPARSE_TAG_MOUNT_POINT, SubstituteName: `\\??\\${target}`, PrintName: target })
  return { tag: IO_REPARSE_TAG_MOUNT_POINT, hex: hex(full.subarray(8)) }
}

const DESKTOP_INI = '\r\n[.ShellClassInfo]\r\nLocalizedResourceName=@%SystemRoot%\\system32\\shell32.dll,-21769\r\n'

const HOSTS =
  '# Host names and the addresses they stand for on this machine.\r\n' +
  '# One entry a line: the address, at least one space, then the name.\r\n' +
  '# Lines that start with # are comments.\r\n' +
  '#\r\n' +
  '# localhost is resolved by the DNS client itself.\r\n' +
  '#\t127.0.0.1       localhost\r\n' +
  '#\t::1             localhost\r\n'

const README =
  'Public Documents\r\n' +
  '================\r\n\r\n' +
  'Files saved here can be opened by everyone who signs in to this computer.\r\n'

const ZONE_IDENTIFIER = '[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl=https://downloads.example.com/\r\nHostUrl=https://downloads.example.com/setup/SampleAppSetup.exe\r\n'

/** A date some days and minutes after a base, as ISO (deterministic spread of file times). */
function after(base: string, days: number, minutes = 0): string {
  return new Date(Date.parse(base) + days * 86_400_000 + minutes * 60_000).toISOString().replace('.000Z', 'Z')
}

function cameraRoll(): RecipeFile[] {
  const files: RecipeFile[] = []
  for (let i = 1; i <= CAMERA_ROLL_COUNT; i++) {
    // sizes from 3 to 14 KiB by a fixed rule (small, so the volume stays small)
    const size = 3 * 1024 + ((i * 7919) % 11) * 1024 + ((i * 104729) % 1000)
    const taken = after('2023-06-01T09:00:00Z', Math.floor(i / 6), (i * 37) % 600)
    const day = taken.slice(0, 10).replace(/-/g, '')
    files.push({
      path: `C:\\Users\\User\\Pictures\\Camera Roll\\IMG_${day}_${String(i).padStart(4, '0')}.jpg`,
      size,
      times: { created: taken, written: taken, changed: taken, accessed: taken },
    })
  }
  return files
}

function times(at: string): RecipeFile['times'] {
  return { created: at, written: at, changed: at, accessed: at }
}

function sampleFiles(): RecipeFile[] {
  const win = times(WINDOWS_INSTALLED)
  const user = times(USER_CREATED)
  return [
    // Windows
    { path: 'C:\\Windows', directory: true, times: win },
    { path: 'C:\\Windows\\explorer.exe', size: 96 * 1024, times: win },
    { path: 'C:\\Windows\\notepad.exe', size: 24 * 1024, times: win },
    { path: 'C:\\Windows\\win.ini', content: '; for 16-bit app support\r\n[fonts]\r\n[extensions]\r\n[mci extensions]\r\n[files]\r\n[Mail]\r\nMAPI=1\r\n', times: win },
    { path: 'C:\\Windows\\System32\\cmd.exe', size: 40 * 1024, times: win },
    { path: 'C:\\Windows\\System32\\notepad.exe', size: 24 * 1024, times: win },
    { path: 'C:\\Windows\\System32\\kernel32.dll', size: 72 * 1024, times: win },
    { path: 'C:\\Windows\\System32\\ntdll.dll', size: 88 * 1024, times: win },
    { path: 'C:\\Windows\\System32\\shell32.dll', size: 120 * 1024, times: win },
    { path: 'C:\\Windows\\System32\\drivers\\ntfs.sys', size: 64 * 1024, times: win },
    { path: 'C:\\Windows\\System32\\drivers\\fltMgr.sys', size: 48 * 1024, times: win },
    { path: 'C:\\Windows\\System32\\drivers\\etc\\hosts', content: HOSTS, times: win },
    { path: 'C:\\Windows\\System32\\drivers\\etc\\networks', content: '# Network names and their numbers.\r\nloopback 127\r\n', times: win },
    { path: 'C:\\Windows\\Temp', directory: true, times: win },
    // Program Files
    { path: 'C:\\Program Files\\Common Files', directory: true, times: win },
    { path: 'C:\\Program Files\\Windows NT\\Accessories\\wordpad.exe', size: 56 * 1024, times: win },
    { path: 'C:\\Program Files\\Sample App\\SampleApp.exe', size: 80 * 1024, times: times('2023-10-02T11:20:00Z') },
    { path: 'C:\\Program Files\\Sample App\\SampleApp.dll', size: 32 * 1024, times: times('2023-10-02T11:20:00Z') },
    { path: 'C:\\Program Files\\Sample App\\license.txt', content: 'Sample App\r\nFree to use on this computer.\r\n', times: times('2023-10-02T11:20:00Z') },
    // ProgramData (hidden, as on Windows)
    { path: 'C:\\ProgramData', directory: true, attributes: ['FILE_ATTRIBUTE_HIDDEN'], times: win },
    { path: 'C:\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs', directory: true, times: win },
    // Users
    { path: 'C:\\Users', directory: true, times: win },
    { path: 'C:\\Users\\Public', directory: true, times: win },
    { path: 'C:\\Users\\Public\\Desktop', directory: true, attributes: ['FILE_ATTRIBUTE_HIDDEN', 'FILE_ATTRIBUTE_READONLY'], times: win },
    { path: 'C:\\Users\\Public\\Desktop\\desktop.ini', content: DESKTOP_INI, attributes: ['FILE_ATTRIBUTE_HIDDEN', 'FILE_ATTRIBUTE_SYSTEM', 'FILE_ATTRIBUTE_ARCHIVE'], times: win },
    { path: 'C:\\Users\\Public\\Documents\\readme.txt', content: README, times: times('2023-05-06T09:01:00Z') },
    { path: 'C:\\Users\\Public\\Music', directory: true, times: win },
    { path: 'C:\\Users\\Public\\Pictures', directory: true, times: win },
    { path: 'C:\\Users\\User', directory: true, times: user },
    { path: 'C:\\Users\\User\\AppData\\Local\\Temp', directory: true, times: user },
    { path: 'C:\\Users\\User\\AppData\\Roaming\\Microsoft\\Windows\\Recent', directory: true, times: user },
    { path: 'C:\\Users\\User\\AppData', directory: true, attributes: ['FILE_ATTRIBUTE_HIDDEN'], times: user },
    { path: 'C:\\Users\\User\\Desktop', directory: true, attributes: ['FILE_ATTRIBUTE_READONLY'], times: user },
    { path: 'C:\\Users\\User\\Desktop\\desktop.ini', content: DESKTOP_INI, attributes: ['FILE_ATTRIBUTE_HIDDEN', 'FILE_ATTRIBUTE_SYSTEM', 'FILE_ATTRIBUTE_ARCHIVE'], times: user },
    { path: 'C:\\Users\\User\\Desktop\\Shopping list.txt', content: 'milk\r\nbread\r\ncoffee\r\n', times: times('2023-12-28T18:40:12Z') },
    { path: 'C:\\Users\\User\\Documents\\report.docx', size: 37 * 1024 + 412, times: { created: '2023-11-20T10:15:00Z', written: '2023-12-18T17:42:31Z', changed: '2023-12-18T17:42:31Z', accessed: '2023-12-18T17:42:31Z' } },
    { path: 'C:\\Users\\User\\Documents\\budget 2024.xlsx', size: 18 * 1024 + 77, times: { created: '2023-12-01T08:03:00Z', written: '2023-12-22T12:09:45Z', changed: '2023-12-22T12:09:45Z', accessed: '2023-12-22T12:09:45Z' } },
    { path: 'C:\\Users\\User\\Documents\\Signed contract.pdf', size: 142 * 1024 + 301, attributes: ['FILE_ATTRIBUTE_READONLY', 'FILE_ATTRIBUTE_ARCHIVE'], times: times('2023-10-30T14:25:00Z') },
    { path: 'C:\\Users\\User\\Documents\\notes.txt', content: 'Call the printer shop about the toner.\r\n', times: times('2023-12-29T09:12:08Z') },
    {
      path: 'C:\\Users\\User\\Downloads\\SampleAppSetup.exe',
      size: 212 * 1024,
      streams: { 'Zone.Identifier': ZONE_IDENTIFIER },
      times: times('2023-10-02T11:17:53Z'),
    },
    { path: 'C:\\Users\\User\\Music', directory: true, times: user },
    { path: 'C:\\Users\\User\\Videos', directory: true, times: user },
    ...cameraRoll(),
    // the junction Windows keeps for old programs (hidden, system)
    {
      path: 'C:\\Documents and Settings',
      directory: true,
      attributes: ['FILE_ATTRIBUTE_HIDDEN', 'FILE_ATTRIBUTE_SYSTEM'],
      reparse: junctionTo('C:\\Users'),
      times: win,
    },
  ]
}

/** The recipe of C: for a machine: the sample tree on a volume of the given size and label. */
export function sampleVolumeRecipe(sizeBytes: number, label: string): Recipe {
  return { size: sizeBytes, label, time: WINDOWS_INSTALLED, serial: 0x1c2e_5a07_9b34_d861n, files: sampleFiles() }
}
