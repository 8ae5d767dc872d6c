# nbdkit python plugin: serves one Blockferry recovery point, read-only, straight from the
# rbd export-diff files of its chain (the last full point and the incrementals up to the point),
# through the extent map Blockferry wrote for it (io.blockferry.access.ChainOverlay). Nothing is
# copied: each read is served from the diff file that wrote that range last; ranges no diff wrote
# (holes) and zero records read as zeros, and are reported so by extents.
#
#   nbdkit -r python point-overlay.py overlay=DIR
#
# DIR holds: size (the image size, decimal), files (one diff path a line, index = line number),
# map (little-endian int64 quadruples: start, length, file index or -1 for zeros, file offset;
# sorted, not overlapping). This script never opens a file for writing.
import bisect
import builtins
import os
from array import array

import nbdkit

API_VERSION = 2

overlay = None
size = 0
starts = array('q')
ends = array('q')
sources = array('q')
offsets = array('q')
fds = []
ZEROS = bytes(1 << 20)


def thread_model():
    return nbdkit.THREAD_MODEL_PARALLEL


def config(key, value):
    global overlay
    if key == 'overlay':
        overlay = value
    else:
        raise RuntimeError('unknown parameter ' + key)


def config_complete():
    global size
    if overlay is None:
        raise RuntimeError('overlay=DIR is required')
    with builtins.open(os.path.join(overlay, 'size')) as f:
        size = int(f.read().strip())
    with builtins.open(os.path.join(overlay, 'files')) as f:
        for line in f.read().splitlines():
            if line:
                fds.append(os.open(line, os.O_RDONLY))
    raw = array('q')
    with builtins.open(os.path.join(overlay, 'map'), 'rb') as f:
        raw.frombytes(f.read())
    if array('q', [1]).tobytes()[0] != 1:
        raw.byteswap()
    for i in range(0, len(raw), 4):
        starts.append(raw[i])
        ends.append(raw[i] + raw[i + 1])
        sources.append(raw[i + 2])
        offsets.append(raw[i + 3])


def open(readonly):
    return 1


def get_size(h):
    return size


def can_write(h):
    return False


def can_multi_conn(h):
    return True


def can_extents(h):
    return True


def fill_zero(view, start, end):
    while start < end:
        n = min(end - start, len(ZEROS))
        view[start:start + n] = ZEROS[:n]
        start += n


def pread(h, buf, offset, flags):
    view = memoryview(buf)
    end = offset + len(buf)
    pos = offset
    i = bisect.bisect_right(ends, pos)
    while pos < end:
        if i < len(starts) and starts[i] <= pos:
            stop = min(end, ends[i])
            if sources[i] < 0:
                fill_zero(view, pos - offset, stop - offset)
            else:
                at = offsets[i] + (pos - starts[i])
                want = stop - pos
                done = 0
                while done < want:
                    got = os.preadv(fds[sources[i]], [view[pos - offset + done:stop - offset]], at + done)
                    if got <= 0:
                        raise RuntimeError('short read of diff file %d at %d' % (sources[i], at + done))
                    done += got
            i += 1
        else:
            stop = min(end, starts[i] if i < len(starts) else size)
            fill_zero(view, pos - offset, stop - offset)
        pos = stop


def extents(h, count, offset, flags):
    out = []
    end = offset + count
    pos = offset
    i = bisect.bisect_right(ends, pos)
    while pos < end:
        if i < len(starts) and starts[i] <= pos:
            stop = min(end, ends[i])
            out.append((pos, stop - pos, nbdkit.EXTENT_ZERO if sources[i] < 0 else 0))
            i += 1
        else:
            stop = min(end, starts[i] if i < len(starts) else size)
            out.append((pos, stop - pos, nbdkit.EXTENT_HOLE | nbdkit.EXTENT_ZERO))
        pos = stop
        if flags & nbdkit.FLAG_REQ_ONE:
            break
    return out
