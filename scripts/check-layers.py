#!/usr/bin/env python3
"""Checks that mlpredict's modules depend on each other in one direction.

The layers are the table in src/README.md: one row per folder (or per
top-level file of src/), bottom layer first, with its layer number and the
same-layer folders it may use.  Two graphs are checked against it:

- includes: every #include "x/y.h" of a project header, from any file;
- calls: which object file uses a symbol another defines (nm over the
  src/**/*.o files `make` built), so that a call through an extern
  declaration counts as much as an include.

A dependency may point down (to a lower layer), stay inside its own folder,
or go to a same-layer folder the table lists.  Anything else, and any cycle
between two source files (a .c and its .h are one module), is an error.

    scripts/check-layers.py            check (exit 1 on a violation)
    scripts/check-layers.py --report   also print the cycles and counts

Pure Python 3 standard library; run by `make check-layers` and CI.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
SRC = os.path.join(ROOT, 'src')
ROW = re.compile(r'^\|\s*(\d+)\s*\|\s*`([^`]+)`\s*\|[^|]*\|\s*([^|]*)\|\s*$')
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def read_layers():
    """{entry: (layer, set of same-layer entries it may use)} from src/README.md."""
    layers = {}
    with open(os.path.join(SRC, 'README.md'), encoding='utf-8') as f:
        for line in f:
            m = ROW.match(line.strip())
            if m:
                allowed = set(re.findall(r'`([^`]+)`', m.group(3)))
                layers[m.group(2).rstrip('/')] = (int(m.group(1)), {a.rstrip('/') for a in allowed})
    if not layers:
        sys.exit('check-layers: no layer table found in src/README.md')
    return layers


def source_files():
    for d, _, files in os.walk(SRC):
        for name in files:
            if name.endswith(('.c', '.h')):
                yield os.path.relpath(os.path.join(d, name), SRC)


def entry_of(path, layers):
    """The layer-table entry a file of src/ belongs to."""
    if path in layers:
        return path
    top = path.split('/')[0]
    if '/' in path and top in layers:
        return top
    return None


def module_of(path):
    return os.path.splitext(path)[0]


def include_edges(files):
    edges = []
    for path in files:
        with open(os.path.join(SRC, path), encoding='utf-8', errors='replace') as f:
            text = f.read()
        for inc in INCLUDE.findall(text):
            if os.path.exists(os.path.join(SRC, inc)):
                edges.append((path, inc))
    return edges


def nm_symbols(obj):
    out = subprocess.run(['nm', obj], capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == 'U':
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in 'TDBR':
            defined.add(parts[2])
    return defined, undefined


def call_edges(files):
    objs = {}
    for path in files:
        if path.endswith('.c'):
            obj = os.path.join(SRC, path[:-2] + '.o')
            if os.path.exists(obj):
                objs[path] = nm_symbols(obj)
    owner = {}
    for path, (defined, _) in objs.items():
        for sym in defined:
            owner[sym] = path
    edges = []
    for path, (_, undefined) in objs.items():
        for sym in sorted(undefined):
            if sym in owner and owner[sym] != path:
                edges.append((path, owner[sym], sym))
    return edges, len(objs)


def cycles(nodes, edges):
    """Strongly connected components with more than one node (Tarjan)."""
    graph = {n: set() for n in nodes}
    for a, b in edges:
        if a != b:
            graph.setdefault(a, set()).add(b)
            graph.setdefault(b, set())
    index, low, stack, on, result = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                result.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return result


def main():
    report = '--report' in sys.argv
    layers = read_layers()
    files = sorted(source_files())
    errors = []
    for path in files:
        if entry_of(path, layers) is None:
            errors.append(f'{path}: not in the layer table of src/README.md')
    incs = include_edges(files)
    calls, nobjs = call_edges(files)
    deps = [(a, b, f'includes "{b}"') for a, b in incs] + \
           [(a, b, f'calls {sym}()') for a, b, sym in calls]
    seen = set()
    for a, b, why in deps:
        ea, eb = entry_of(a, layers), entry_of(b, layers)
        if ea is None or eb is None or ea == eb:
            continue
        (la, ok), (lb, _) = layers[ea], layers[eb]
        if lb < la or (lb == la and eb in ok):
            continue
        key = (a, b)
        if key not in seen:
            seen.add(key)
            errors.append(f'{a} (layer {la}, {ea}) {why}, which is in layer {lb} ({eb}): it points up')
    modules = {module_of(p) for p in files}
    mod_edges = {(module_of(a), module_of(b)) for a, b, _ in deps}
    file_cycles = cycles(modules, mod_edges)
    for comp in file_cycles:
        errors.append(f'cycle between {len(comp)} source files: ' + ', '.join(comp))
    folder_edges = {(entry_of(a, layers) or a, entry_of(b, layers) or b) for a, b, _ in deps}
    folder_cycles = cycles({e for pair in folder_edges for e in pair}, folder_edges)
    for comp in folder_cycles:
        errors.append(f'cycle between folders: ' + ', '.join(comp))
    if nobjs == 0:
        errors.append('no object files under src/: run make first (calls are read from them)')
    for e in errors:
        print('check-layers:', e, file=sys.stderr)
    if report or errors:
        print(f'check-layers: {len(files)} files, {nobjs} objects, {len(incs)} includes, '
              f'{len(calls)} cross-file calls; {len(file_cycles)} file cycles '
              f'({sum(len(c) for c in file_cycles)} files), {len(folder_cycles)} folder cycles',
              file=sys.stderr)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
