#!/usr/bin/env python3
"""Regenerates <name>.txt from GNU readelf (binutils), an oracle independent of lskel4j's ELF reader.

Usage: generate.py <reference>/obj/*.bpf.o   (run from this directory; binutils 2.40 was used)
STT_SECTION symbols are written without a name (clang gives them st_name 0).
Lines: S index name type flags size offset link info entsize   (numbers in hex)
       Y index value size type bind visibility shndx name     (numbers in hex)
       R relsec offset symbol type                              (numbers in hex)
"""
import re, subprocess, sys, os

SHT = {'NULL': 0, 'PROGBITS': 1, 'SYMTAB': 2, 'STRTAB': 3, 'RELA': 4, 'NOBITS': 8, 'REL': 9}
SHF = {'W': 0x1, 'A': 0x2, 'X': 0x4, 'M': 0x10, 'S': 0x20, 'I': 0x40, 'L': 0x80, 'G': 0x200, 'T': 0x400,
       'E': 0x80000000}
STT = {'NOTYPE': 0, 'OBJECT': 1, 'FUNC': 2, 'SECTION': 3, 'FILE': 4}
STB = {'LOCAL': 0, 'GLOBAL': 1, 'WEAK': 2}
STV = {'DEFAULT': 0, 'INTERNAL': 1, 'HIDDEN': 2, 'PROTECTED': 3}
SHN = {'UND': 0, 'ABS': 0xfff1, 'COM': 0xfff2}


def readelf(*args):
    return subprocess.run(['readelf', '-W', *args], check=True, capture_output=True, text=True).stdout.splitlines()


def sections(obj):
    out, want = [], None
    for line in readelf('-S', obj):
        n = re.match(r'There are (\d+) section headers', line)
        if n:
            want = int(n.group(1))
        m = re.match(r'\s*\[\s*(\d+)\] (\S*)\s+(\S+)\s+([0-9a-f]{16}) ([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+) (.{3}) +(\d+) +(\d+) +(\d+)', line)
        if not m:
            continue
        idx, name, typ, _addr, off, size, es, flg, lk, inf, _al = m.groups()
        t = SHT[typ] if typ in SHT else 0x60000000 + int(typ.split('+')[1], 16)
        flags = sum(SHF[c] for c in flg.strip())
        out.append('S %x %s %x %x %x %x %x %x %x' % (int(idx), name.strip() or '-', t, flags, int(size, 16),
                                                    int(off, 16), int(lk), int(inf), int(es, 16)))
    assert len(out) == want, (obj, len(out), want)
    return out


def symbols(obj):
    out, want = [], 0
    for line in readelf('-s', obj):
        n = re.match(r"Symbol table '.*' contains (\d+) entries", line)
        if n:
            want += int(n.group(1))
        m = re.match(r'\s*(\d+): ([0-9a-f]{16})\s+(\S+) (\S+)\s+(\S+)\s+(\S+)\s+(\S+) ?(.*)$', line)
        if not m:
            continue
        idx, val, size, typ, bind, vis, ndx, name = m.groups()
        size = int(size, 16) if size.startswith('0x') else int(size)
        shndx = SHN[ndx] if ndx in SHN else int(ndx)
        if typ == 'SECTION':
            name = ''  # readelf shows the section's name; clang's section symbols have st_name 0
        out.append('Y %x %x %x %x %x %x %x %s' % (int(idx), int(val, 16), size, STT[typ], STB[bind], STV[vis], shndx,
                                                 name or '-'))
    assert len(out) == want, (obj, len(out), want)
    return out


def relocations(obj):
    out, sec, want = [], None, 0
    for line in readelf('-r', obj):
        m = re.match(r"Relocation section '(.*)' at offset .* contains (\d+) entr", line)
        if m:
            sec = m.group(1)
            want += int(m.group(2))
            continue
        m = re.match(r'([0-9a-f]{16})\s+([0-9a-f]{16})\s', line)
        if m and sec:
            info = int(m.group(2), 16)
            out.append('R %s %x %x %x' % (sec, int(m.group(1), 16), info >> 32, info & 0xffffffff))
    assert len(out) == want, (obj, len(out), want)
    return out


for obj in sys.argv[1:]:
    name = os.path.basename(obj)[:-len('.bpf.o')]
    with open(name + '.txt', 'w') as f:
        f.write('\n'.join(sections(obj) + symbols(obj) + relocations(obj)) + '\n')
