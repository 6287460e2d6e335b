import { describe, expect, it } from 'vitest'
import { dosDeviceName, dosPathToNtPath, ntPathToDosPath, PathError } from './paths.ts'

// Expected values from Wine's dlls/ntdll/tests/path.c (test_RtlDosPathNameToNtPathName_U),
// which records what Windows returns; relative cases are refused here instead.
const cases: [string, string][] = [
  ['C:\\a\\b.txt', '\\??\\C:\\a\\b.txt'],
  ['c:\\', '\\??\\c:\\'],
  ['c:/', '\\??\\c:\\'],
  ['c:/foo', '\\??\\c:\\foo'],
  ['c:/foo.', '\\??\\c:\\foo'],
  ['c:/foo ', '\\??\\c:\\foo'],
  ['c:/foo . .', '\\??\\c:\\foo'],
  ['c:/foo.a', '\\??\\c:\\foo.a'],
  ['c:/foo a', '\\??\\c:\\foo a'],
  ['c:/foo*', '\\??\\c:\\foo*'],
  ['c:/foo?a', '\\??\\c:\\foo?a'],
  ['c:/foo/', '\\??\\c:\\foo\\'],
  ['c:/foo//', '\\??\\c:\\foo\\'],
  ['C:/foo/bar', '\\??\\C:\\foo\\bar'],
  ['c:/./foo', '\\??\\c:\\foo'],
  ['c:/..', '\\??\\c:\\'],
  ['c:/foo/.', '\\??\\c:\\foo'],
  ['c:/foo/./bar', '\\??\\c:\\foo\\bar'],
  ['c:/foo/../bar', '\\??\\c:\\bar'],
  ['c:/test./file', '\\??\\c:\\test\\file'],
  ['c:/test/  ....   ..   ', '\\??\\c:\\test\\'],
  ['c:/test/.. ', '\\??\\c:\\test\\'],
  ['c:///test\\..\\file\\..\\//', '\\??\\c:\\'],
  ['\\foo', '\\??\\C:\\foo'],
  ['\\windows\\nul', '\\??\\nul'],
  ['C:NUL.', '\\??\\NUL'],
  ['C:NUL', '\\??\\NUL'],
  ['AUX', '\\??\\AUX'],
  ['COM1', '\\??\\COM1'],
  ['lpt9:', '\\??\\lpt9'],
  ['C:\\dir\\nul.txt', '\\??\\nul'],
  ['CONOUT$', '\\??\\CONOUT$'],
  ['\\\\foo', '\\??\\UNC\\foo'],
  ['//foo', '\\??\\UNC\\foo'],
  ['\\/foo', '\\??\\UNC\\foo'],
  ['//', '\\??\\UNC\\'],
  ['//foo/', '\\??\\UNC\\foo\\'],
  ['\\\\server\\share\\dir\\f.txt', '\\??\\UNC\\server\\share\\dir\\f.txt'],
  ['\\\\server\\share\\..\\x', '\\??\\UNC\\server\\share\\x'],
  ['//.', '\\??\\'],
  ['//./', '\\??\\'],
  ['//./foo', '\\??\\foo'],
  ['//./foo/bar', '\\??\\foo\\bar'],
  ['//./foo/..', '\\??\\'],
  ['//./foo. . ', '\\??\\foo'],
  ['\\\\.\\CON', '\\??\\CON'],
  ['\\\\.\\CONIN$', '\\??\\CONIN$'],
  ['//?/foo/bar', '\\??\\foo\\bar'],
  ['\\\\?', '\\??\\'],
  ['\\\\?\\foo/bar', '\\??\\foo/bar'],
  ['\\\\?\\foo\\..', '\\??\\foo\\..'],
  ['\\\\?\\foo. . ', '\\??\\foo. . '],
  ['\\\\?\\C:\\a.', '\\??\\C:\\a.'],
  ['\\??\\foo/..', '\\??\\foo/..'],
  ['\\??\\C:\\a.', '\\??\\C:\\a.'],
  ['\\??', '\\??\\C:\\??'],
  ['\\Device\\HarddiskVolume1\\a.txt', '\\Device\\HarddiskVolume1\\a.txt'],
]

describe('dosPathToNtPath', () => {
  it.each(cases)('%s → %s', (dos, nt) => {
    expect(dosPathToNtPath(dos)).toBe(nt)
  })

  it('refuses names Windows refuses', () => {
    expect(() => dosPathToNtPath('')).toThrow(PathError)
    expect(() => dosPathToNtPath(' ')).toThrow("' ' is not a path")
  })

  it('refuses relative names, which need a current directory', () => {
    expect(() => dosPathToNtPath('foo')).toThrow(
      "'foo' is a relative path, and scenarios have no current directory; write a full path such as C:\\foo",
    )
    expect(() => dosPathToNtPath('./foo')).toThrow(PathError)
    expect(() => dosPathToNtPath('c:foo')).toThrow(
      "'c:foo' is relative to the current directory of drive C:, and scenarios have none; write c:\\foo",
    )
  })
})

describe('dosDeviceName (RtlIsDosDeviceName_U cases from Wine)', () => {
  it.each([
    ['c:\\nul:', 'nul'],
    ['c:prn     ', 'prn'],
    ['c:prn.......', 'prn'],
    ['c:NUL  ....  ', 'NUL'],
    ['c:nul. . . :', 'nul'],
    ['c:prn:aaa', 'prn'],
    ['c:PRN:.txt', 'PRN'],
    ['CoM4:', 'CoM4'],
    ['CON', 'CON'],
  ])('%s is device %s', (p, d) => expect(dosDeviceName(p)).toBe(d))

  it.each(['c:\\nul\\', 'c:\\nul\\foo', 'c:nul0', 'c:\\lpt0.txt', 'PIPE', 'c:', 'CONERR$'])('%s is not a device', (p) => {
    expect(dosDeviceName(p)).toBeUndefined()
  })
})

describe('ntPathToDosPath', () => {
  it('gives the Win32 form', () => {
    expect(ntPathToDosPath('\\??\\C:\\dir\\a.txt')).toBe('C:\\dir\\a.txt')
    expect(ntPathToDosPath('\\??\\UNC\\srv\\share\\x')).toBe('\\\\srv\\share\\x')
    expect(ntPathToDosPath('\\??\\NUL')).toBe('\\\\.\\NUL')
    expect(ntPathToDosPath('\\Device\\HarddiskVolume1\\x')).toBe('\\Device\\HarddiskVolume1\\x')
  })
})
