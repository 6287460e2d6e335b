import { describe, expect, it } from 'vitest'
import { STATUS } from '../nt/status.ts'
import {
  FsRtlDoesNameContainWildCards,
  FsRtlIsNameInExpression,
  RtlIsNameLegalDOS8Dot3,
  checkNtfsFileName,
  checkStreamOpen,
  defaultUpcaseTable,
  parseNtfsName,
  upcaseString,
  win32MaskToNtExpression,
} from './unicode.ts'

// [expression, name, ignoreCase, expected] — the ReactOS kernel-mode test table for
// FsRtlIsNameInExpression, which passes on Windows.
const WINDOWS_CASES: [string, string, boolean, boolean][] = [
  ['', '', false, true],
  ['', 'a', false, false],
  ['*', 'a', false, true],
  ['*', '', false, false],
  ['**', '', false, false],
  ['**', 'a', false, true],
  ['ntdll.dll', '.', false, false],
  ['ntdll.dll', '~1', false, false],
  ['ntdll.dll', '..', false, false],
  ['ntdll.dll', 'ntdll.dll', false, true],
  ['smss.exe', 'ntdll.dll', false, false],
  ['smss.exe', 'NTDLL.DLL', false, false],
  ['nt??krnl.???', 'ntoskrnl.exe', false, true],
  ['he*o', 'hello', false, true],
  ['he*o', 'helo', false, true],
  ['he*o', 'hella', false, false],
  ['he*', 'hello', false, true],
  ['he*', 'hella', false, true],
  ['*.cpl', 'kdcom.dll', false, false],
  ['*.cpl', 'ntoskrnl.exe', false, false],
  ['.', 'NTDLL.DLL', false, false],
  ['F0_*.*', '.', false, false],
  ['F0_*.*', '..', false, false],
  ['F0_*.*', 'SETUP.EXE', false, false],
  ['F0_*.*', 'f0_', false, false],
  ['F0_*.*', 'f0_', true, false],
  ['F0_*.*', 'F0_', false, false],
  ['F0_*.*', 'f0_.', false, false],
  ['F0_*.*', 'f0_.', true, true],
  ['F0_*.*', 'F0_.', false, true],
  ['F0_*.*', 'F0_001', false, false],
  ['F0_*.*', 'F0_001', true, false],
  ['F0_*.*', 'f0_001', true, false],
  ['F0_*.*', 'F0_001.', false, true],
  ['F0_*.*', 'f0_001.txt', false, false],
  ['F0_*.*', 'f0_001.txt', true, true],
  ['F0_*.*', 'F0_001.txt', false, true],
  ['F0_*.', '.', false, false],
  ['F0_*.', 'F0_', false, false],
  ['F0_*.', 'f0_.', true, true],
  ['F0_*.', 'F0_.', false, true],
  ['F0_*.', 'F0_001', false, false],
  ['F0_*.', 'F0_001.', false, true],
  ['F0_*.', 'F0_001.txt', false, false],
  ['F0_*.', 'F0_001.txt', true, false],
  ['F0_<"*', '.', false, false],
  ['F0_<"*', '..', false, false],
  ['F0_<"*', 'SETUP.EXE', false, false],
  ['F0_<"*', 'f0_', true, true],
  ['F0_<"*', 'F0_', false, true],
  ['F0_<"*', 'f0_.', false, false],
  ['F0_<"*', 'f0_.', true, true],
  ['F0_<"*', 'F0_.', false, true],
  ['F0_<"*', 'F0_001', false, true],
  ['F0_<"*', 'F0_001', true, true],
  ['F0_<"*', 'f0_001', false, false],
  ['F0_<"*', 'f0_001', true, true],
  ['F0_<"*', 'F0_001.', false, true],
  ['F0_<"*', 'f0_001.txt', false, false],
  ['F0_<"*', 'f0_001.txt', true, true],
  ['F0_<"*', 'F0_001.txt', false, true],
  ['*.TTF', '.', false, false],
  ['*.TTF', '..', false, false],
  ['*.TTF', 'SETUP.INI', false, false],
  ['*', '.', false, true],
  ['*', '..', false, true],
  ['*', 'SETUP.INI', false, true],
  ['.*', '1', false, false],
  ['.*', '01', false, false],
  ['.*', ' ', false, false],
  ['.*', '', false, false],
  ['.*', '.', false, true],
  ['.*', '1.txt', false, false],
  ['.*', ' .txt', false, false],
  ['.*', '.txt', false, true],
  ['"ntoskrnl.exe', 'ntoskrnl.exe', false, false],
  ['ntoskrnl"exe', 'ntoskrnl.exe', false, true],
  ['ntoskrn".exe', 'ntoskrnl.exe', false, false],
  ['ntoskrn""exe', 'ntoskrnl.exe', false, false],
  ['ntoskrnl."exe', 'ntoskrnl.exe', false, false],
  ['ntoskrnl.exe"', 'ntoskrnl.exe', false, true],
  ['ntoskrnl.exe', 'ntoskrnl.exe', false, true],
  ['*.c.d', 'a.b.c.d', false, true],
  ['*.?.c.d', 'a.b.c.d', false, true],
  ['**.?.c.d', 'a.b.c.d', false, true],
  ['a.**.c.d', 'a.b.c.d', false, true],
  ['a.b.??.d', 'a.b.c1.d', false, true],
  ['a.b.??.d', 'a.b.c.d', false, false],
  ['a.b.*?.d', 'a.b.c.d', false, true],
  ['a.b.*??.d', 'a.b.ccc.d', false, true],
  ['a.b.*??.d', 'a.b.cc.d', false, true],
  ['a.b.*??.d', 'a.b.c.d', false, false],
  ['a.b.*?*.d', 'a.b.c.d', false, true],
  ['*?', '', false, false],
  ['*?', 'a', false, true],
  ['*?', 'aa', false, true],
  ['*?', 'aaa', false, true],
  ['?*?', '', false, false],
  ['?*?', 'a', false, false],
  ['?*?', 'aa', false, true],
  ['?*?', 'aaa', false, true],
  ['?*?', 'aaaa', false, true],
  ['C:\\ReactOS\\**', 'C:\\ReactOS\\dings.bmp', false, true],
  ['C:\\ReactOS\\***', 'C:\\ReactOS\\dings.bmp', false, true],
  ['C:\\Windows\\*a*', 'C:\\ReactOS\\dings.bmp', false, false],
  ['C:\\ReactOS\\*.bmp', 'C:\\Windows\\explorer.exe', false, false],
  ['*.bmp;*.dib', 'winhlp32.exe', false, false],
  ['*.*.*.*', '127.0.0.1', false, true],
  ['*?*?*?*', '1.0.0.1', false, true],
  ['?*?*?*?', '1.0.0.1', false, true],
  ['?.?.?.?', '1.0.0.1', false, true],
  ['*a*ab*abc', 'aabaabcdadabdabc', false, true],
  ['ab<exe', 'abcd.exe', false, true],
  ['ab<exe', 'ab.exe', false, true],
  ['ab<exe', 'abcdexe', false, true],
  ['ab<exe', 'acd.exe', false, false],
  ['a.b<exe', 'a.bcd.exe', false, true],
  ['a<b.exe', 'a.bcd.exe', false, false],
  ['a.b.exe', 'a.bcd.exe', false, false],
  ['abc.exe', 'abc.exe', false, true],
  ['abc.exe', 'abc.exe.', false, false],
  ['abc.exe', 'abc.exe.back', false, false],
  ['abc.exe', 'abc.exes', false, false],
  ['a>c.exe', 'abc.exe', false, true],
  ['a>c.exe', 'ac.exe', false, false],
  ['a>>>exe', 'abc.exe', false, false],
  ['a>>>exe', 'ac.exe', false, false],
  ['<.exe', 'test.exe', false, true],
  ['<.EXE', 'test.exe', true, true],
  ['*_MICROSOFT.WINDOWS.COMMON-CONTROLS_6595B64144CCF1DF_6.0.*.*_*_*.MANIFEST', 'X86_MICROSOFT.VC90.ATL_1FC8B3B9A1E18E3B_9.0.30729.6161_X-WW_92453BB7.CAT', false, false],
  ['FI<<<<<<<<', 'FILE', false, true],
  ['<<<<<<<<<.<', '.', false, true],
  ['F<', 'FILE.TXT', false, false],
]

describe('FsRtlIsNameInExpression', () => {
  it.each(WINDOWS_CASES)('%j against %j (ignoreCase %s) → %s', (expr, name, ignoreCase, expected) => {
    expect(FsRtlIsNameInExpression(expr, name, ignoreCase)).toBe(expected)
  })

  it('DOS_QM runs stop at the dot and at the end: a>>.b', () => {
    expect(FsRtlIsNameInExpression('a>>.b', 'a.b', false)).toBe(true)
    expect(FsRtlIsNameInExpression('a>>.b', 'ax.b', false)).toBe(true)
    expect(FsRtlIsNameInExpression('a>>.b', 'axy.b', false)).toBe(true)
    expect(FsRtlIsNameInExpression('a>>.b', 'axyz.b', false)).toBe(false)
    expect(FsRtlIsNameInExpression('>>>', 'ab', false)).toBe(true)
    expect(FsRtlIsNameInExpression('?', '', false)).toBe(false)
    expect(FsRtlIsNameInExpression('??', 'a', false)).toBe(false)
  })

  it('DOS_STAR matches up to the last dot: <.txt', () => {
    expect(FsRtlIsNameInExpression('<.TXT', 'A.B.TXT', false)).toBe(true)
    expect(FsRtlIsNameInExpression('<.TXT', '.TXT', false)).toBe(true)
    expect(FsRtlIsNameInExpression('<.TXT', 'A.TXT.BAK', false)).toBe(false)
    expect(FsRtlIsNameInExpression('<', 'A.B.C', false)).toBe(false)
    expect(FsRtlIsNameInExpression('<', 'ABC', false)).toBe(true)
  })

  it('case: the name is upper-cased through the table, the expression is taken as given', () => {
    expect(FsRtlIsNameInExpression('README.TXT', 'readme.txt', true)).toBe(true)
    expect(FsRtlIsNameInExpression('README.TXT', 'readme.txt', false)).toBe(false)
    expect(FsRtlIsNameInExpression('ÉTÉ.TXT', 'été.txt', true)).toBe(true)
    const shouting = new Uint16Array(65536)
    for (let i = 0; i < 65536; i++) shouting[i] = i
    shouting[0x78] = 0x59 // x → Y
    expect(FsRtlIsNameInExpression('AYB', 'axb', true, shouting)).toBe(false)
    expect(FsRtlIsNameInExpression('aYb', 'axb', true, shouting)).toBe(true)
  })

  it('is fast on long names', () => {
    const name = 'a'.repeat(255)
    expect(FsRtlIsNameInExpression('*a*a*a*a*a*a*a*b', name, false)).toBe(false)
    expect(FsRtlIsNameInExpression('<<<<<<<<<<<<a', name, false)).toBe(true)
  })
})

describe('FindFirstFile mask translation (ReactOS kernel32 FindFile test table)', () => {
  const table: [string, string][] = [
    ['Hello', 'Hello'], ['*', '*'], ['a*', 'a*'], ['**', '**'], ['*a*', '*a*'],
    ['*.*', '*'], ['a*.*', 'a<"*'], ['*.*a', '<"*a'], ['a*.*a', 'a<"*a'], ['*.**.*', '<"*<"*'],
    ['*.*a*.*', '<"*a<"*'], ['a*.*a*.*a', 'a<"*a<"*a'],
    ['.*', '"*'], ['a.*', 'a"*'], ['.*a', '"*a'], ['.*.*', '"<"*'], ['.*a.*', '"*a"*'], ['a.*a.*a', 'a"*a"*a'],
    ['*.', '<'], ['a*.', 'a<'], ['*.a', '<.a'], ['a*.a', 'a<.a'], ['*.*.', '*'], ['*.a*.', '<.a<'], ['a*.a*.a', 'a<.a<.a'],
    ['?', '>'], ['a?', 'a>'], ['?a', '>a'], ['??', '>>'], ['?a?', '>a>'], ['a?a?a', 'a>a>a'],
    ['?.?', '>">'], ['a?.?', 'a>">'], ['?.?a', '>">a'], ['?.??.?', '>">>">'], ['?.?a?.?', '>">a>">'], ['a?.?a?.?a', 'a>">a>">a'],
    ['.?', '">'], ['a.?', 'a">'], ['.?.?', '">">'], ['a.?a.?a', 'a">a">a'],
    ['?.', '>'], ['a?.', 'a>'], ['?.a', '>.a'], ['?.?.', '>">'], ['?.a?.', '>.a>'], ['a?.a?.a', 'a>.a>.a'],
    ['f*.', 'f<'], ['f.*', 'f"*'], ['f*.*', 'f<"*'], ['f*.f*', 'f<.f*'], ['f*f.*', 'f*f"*'], ['f*.*f', 'f<"*f'],
  ]
  it.each(table)('%j → %j', (mask, nt) => {
    expect(win32MaskToNtExpression(mask)).toBe(nt)
  })

  it('so "*.*" matches names without dots and "*." only those', () => {
    const all = win32MaskToNtExpression('*.*')
    const noExt = win32MaskToNtExpression('*.')
    expect(FsRtlIsNameInExpression('*.*', 'README', false)).toBe(false)
    expect(FsRtlIsNameInExpression(all, 'README', false)).toBe(true)
    expect(FsRtlIsNameInExpression(all, 'a.txt', false)).toBe(true)
    expect(FsRtlIsNameInExpression(noExt, 'README', false)).toBe(true)
    expect(FsRtlIsNameInExpression(noExt, 'a.txt', false)).toBe(false)
    expect(FsRtlIsNameInExpression(win32MaskToNtExpression('*.txt'), 'a.b.txt', false)).toBe(true)
    expect(FsRtlIsNameInExpression(win32MaskToNtExpression('a?.txt'), 'a.txt', false)).toBe(true)
  })
})

describe('FsRtlDoesNameContainWildCards', () => {
  it('looks at the last component only', () => {
    expect(FsRtlDoesNameContainWildCards('a*b')).toBe(true)
    for (const w of ['?', '<', '>', '"']) expect(FsRtlDoesNameContainWildCards(`x${w}`), w).toBe(true)
    expect(FsRtlDoesNameContainWildCards('dir*\\file.txt')).toBe(false)
    expect(FsRtlDoesNameContainWildCards('dir\\*.txt')).toBe(true)
    expect(FsRtlDoesNameContainWildCards('plain.txt')).toBe(false)
    expect(FsRtlDoesNameContainWildCards('')).toBe(false)
  })
})

describe('RtlIsNameLegalDOS8Dot3 (Wine test table)', () => {
  const table: [string, boolean, boolean?][] = [
    ['12345678', true, false], ['123 5678', true, true], ['12345678.', false], ['1234 678.', false],
    ['12345678.a', true, false], ['12345678.a ', false], ['12345678.a c', true, true], [' 2345678.a ', false],
    ['1 345678.abc', true, true], ['1      8.a c', true, true], ['1 3 5 7 .abc', false], ['12345678.  c', true, true],
    ['123456789.a', false], ['12345.abcd', false], ['12345.ab d', false], ['.abc', false], ['12.abc.d', false],
    ['.', true, false], ['..', true, false], ['...', false], ['a'.repeat(54), false],
  ]
  it.each(table)('%j → %s', (name, legal, spaces) => {
    const r = RtlIsNameLegalDOS8Dot3(name)
    expect(r.legal).toBe(legal)
    if (legal) {
      expect(r.nameContainsSpaces).toBe(spaces)
      expect(r.oemName).toBe(name.toUpperCase())
    }
  })
  it('refuses FAT-illegal characters', () => {
    for (const c of '"*+,/:;<=>?[\\]|\u0001') expect(RtlIsNameLegalDOS8Dot3(`A${c}B.TXT`).legal, c).toBe(false)
  })
})

describe('NTFS names', () => {
  it('file name components (WinBtrfs create tests on NTFS)', () => {
    expect(checkNtfsFileName('a.txt')).toBe(STATUS.STATUS_SUCCESS)
    expect(checkNtfsFileName('CON')).toBe(STATUS.STATUS_SUCCESS)
    expect(checkNtfsFileName('trailing. ')).toBe(STATUS.STATUS_SUCCESS)
    expect(checkNtfsFileName('\ud83d')).toBe(STATUS.STATUS_SUCCESS)
    expect(checkNtfsFileName('x'.repeat(255))).toBe(STATUS.STATUS_SUCCESS)
    expect(checkNtfsFileName('x'.repeat(256))).toBe(STATUS.STATUS_OBJECT_NAME_INVALID)
    for (const c of '\\/:*?"<>|\u0000\u0001\u001f') expect(checkNtfsFileName(`a${c}b`), JSON.stringify(c)).toBe(STATUS.STATUS_OBJECT_NAME_INVALID)
    expect(checkNtfsFileName('')).toBe(STATUS.STATUS_OBJECT_NAME_INVALID)
    expect(checkNtfsFileName('.')).toBe(STATUS.STATUS_OBJECT_NAME_INVALID)
    expect(checkNtfsFileName('..')).toBe(STATUS.STATUS_OBJECT_NAME_INVALID)
    expect(checkNtfsFileName('...')).toBe(STATUS.STATUS_SUCCESS)
  })

  it('splits file:stream:type', () => {
    expect(parseNtfsName('file')).toMatchObject({ status: STATUS.STATUS_SUCCESS, fileName: 'file', streamName: '', streamType: '$DATA', hasStreamPart: false })
    expect(parseNtfsName('file::$DATA')).toMatchObject({ status: STATUS.STATUS_SUCCESS, fileName: 'file', streamName: '', explicitType: true })
    expect(parseNtfsName('file::$data').status).toBe(STATUS.STATUS_SUCCESS)
    expect(parseNtfsName('file:s')).toMatchObject({ status: STATUS.STATUS_SUCCESS, streamName: 's', explicitType: false })
    expect(parseNtfsName('file:s:$DATA')).toMatchObject({ status: STATUS.STATUS_SUCCESS, streamName: 's', explicitType: true })
    expect(parseNtfsName('dir:$I30:$INDEX_ALLOCATION')).toMatchObject({ status: STATUS.STATUS_SUCCESS, streamName: '', streamType: '$INDEX_ALLOCATION' })
    expect(parseNtfsName('dir::$INDEX_ALLOCATION').streamType).toBe('$INDEX_ALLOCATION')
  })

  it('stream names accept < > " | ? * but not / : and stay within 255 units', () => {
    for (const c of '<>"|?*') expect(parseNtfsName(`f:${c}`).status, c).toBe(STATUS.STATUS_SUCCESS)
    expect(parseNtfsName('f:/').status).toBe(STATUS.STATUS_OBJECT_NAME_INVALID)
    expect(parseNtfsName('f:a:b:c').status).toBe(STATUS.STATUS_OBJECT_NAME_INVALID)
    expect(parseNtfsName(`f:${'x'.repeat(255)}`).status).toBe(STATUS.STATUS_SUCCESS)
    expect(parseNtfsName(`f:${'x'.repeat(256)}`).status).toBe(STATUS.STATUS_OBJECT_NAME_INVALID)
  })

  it('bad forms: "file:", ":" alone, unknown types, $INDEX_ALLOCATION with a named stream', () => {
    expect(parseNtfsName('file:').status).toBe(STATUS.STATUS_OBJECT_NAME_INVALID)
    expect(parseNtfsName(':').status).toBe(STATUS.STATUS_OBJECT_NAME_INVALID)
    expect(parseNtfsName('file:s:$FOO').status).toBe(STATUS.STATUS_OBJECT_NAME_INVALID)
    expect(parseNtfsName('file:s:DATA').status).toBe(STATUS.STATUS_OBJECT_NAME_INVALID)
    expect(parseNtfsName('dir:x:$INDEX_ALLOCATION').status).toBe(STATUS.STATUS_OBJECT_NAME_INVALID)
    expect(parseNtfsName('a*b:s').status).toBe(STATUS.STATUS_OBJECT_NAME_INVALID)
  })

  it('stream-relative names and stream renames', () => {
    expect(parseNtfsName(':s', { allowEmptyFileName: true })).toMatchObject({ status: STATUS.STATUS_SUCCESS, fileName: '', streamName: 's' })
    expect(parseNtfsName(':s').status).toBe(STATUS.STATUS_OBJECT_NAME_INVALID)
    expect(parseNtfsName(':/', { allowEmptyFileName: true, streamRename: true }).status).toBe(STATUS.STATUS_INVALID_PARAMETER)
    expect(parseNtfsName(`:${'x'.repeat(256)}`, { allowEmptyFileName: true, streamRename: true }).status).toBe(STATUS.STATUS_INVALID_PARAMETER)
  })

  it('directory checks (WinBtrfs stream tests)', () => {
    const dirStream = parseNtfsName('dir:s')
    expect(checkStreamOpen(dirStream, { isDirectory: true }, { directoryFile: true })).toBe(STATUS.STATUS_NOT_A_DIRECTORY)
    expect(checkStreamOpen(dirStream, { isDirectory: true }, { nonDirectoryFile: true })).toBe(STATUS.STATUS_SUCCESS)
    expect(checkStreamOpen(parseNtfsName('dir::$DATA'), { isDirectory: true }, {})).toBe(STATUS.STATUS_FILE_IS_A_DIRECTORY)
    expect(checkStreamOpen(parseNtfsName('file::$DATA'), { isDirectory: false }, {})).toBe(STATUS.STATUS_SUCCESS)
    expect(checkStreamOpen(parseNtfsName('dir'), { isDirectory: true }, {})).toBe(STATUS.STATUS_SUCCESS)
    expect(checkStreamOpen(parseNtfsName('f::$INDEX_ALLOCATION'), { isDirectory: false }, {})).toBe(STATUS.STATUS_NOT_A_DIRECTORY)
  })
})

describe('upcase', () => {
  it('maps one unit to one unit', () => {
    expect(upcaseString('straße')).toBe('STRAßE')
    expect(upcaseString('\ud83d')).toBe('\ud83d')
    expect(defaultUpcaseTable()[0x61]).toBe(0x41)
  })
})
