"""LUN data: real bytes in sparse files, and a per-chunk version map that makes snapshots and
bitmaps cheap for big sparse LUNs.

Design (why it is fast for a 2 TiB LUN):

* The live LUN is one flat sparse file, exactly the disk's bytes. That is what an attached disk's
  device file points at, and what a Java FileChannel reads.
* Every chunk ("grain", the LUN's CHUNKSIZE) has a version word: (generation << 1) | allocated.
  0 means never written. A write that changes a chunk's bytes gives it a new, globally unique
  generation; a write of identical bytes changes nothing (so "unshared" means "bytes differ").
* The map is split into segments of SEG grains (256 MiB at 64 KiB). A segment is either sparse
  (a base value plus a dict of exceptions; a never-touched or wholly-rewritten segment is just a
  base value) or dense (an array of 4096 words). A snapshot is a shallow copy of the dict of
  segments: it shares every segment with the live map, and the live map copies a segment the
  first time it writes into it afterwards (copy-on-write of metadata).
* get_unshared compares two maps segment by segment: a segment shared by both is skipped without
  looking inside; otherwise only the exceptions are compared. Nothing reads LUN data. Two
  unallocated versions count as equal (both read zeros), so a chunk is marked exactly when its
  bytes differ (identical rewrites were already dropped at write time).
* Data copy-on-write: before the live file's chunk is overwritten, if the newest snapshot still
  holds that chunk's version, its old bytes go into the family's version store (<lun>.cow), keyed
  by (grain, version). A snapshot's chunk is read from the live file when the live map still has
  the same version, from the version store otherwise, and is zeros when unallocated.
* Deleting a snapshot frees the versions only it referenced (its neighbours decide: versions
  are monotonic, so a version is shared by a contiguous run of snapshots).
"""
import array
import base64
import ctypes
import ctypes.util
import errno
import json
import os
import struct
import threading

SEG = 4096          # grains per map segment
DENSE_AT = 1024     # a sparse segment with more exceptions than this becomes dense
FULL = (1 << SEG) - 1

_libc = None
try:
    _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    _libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong]
except (OSError, AttributeError):
    _libc = None
_PUNCH = 0x02 | 0x01  # FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE


def punch_hole(fd, offset, length):
    """Deallocates a range (reads as zeros afterwards). Falls back to writing zeros."""
    if length <= 0:
        return
    if _libc is not None and _libc.fallocate(fd, _PUNCH, offset, length) == 0:
        return
    os.pwrite(fd, bytes(length), offset)


class Sparse:
    __slots__ = ("base", "over", "text")

    def __init__(self, base=0, over=None):
        self.base = base
        self.over = {} if over is None else over
        self.text = None  # cached JSON, see json_text()

    def get(self, i):
        return self.over.get(i, self.base)

    def copy(self):
        return Sparse(self.base, dict(self.over))

    def items(self):
        """(index, value) of every non-zero entry."""
        if self.base:
            over = self.over
            return [(i, over.get(i, self.base)) for i in range(SEG) if over.get(i, self.base)]
        return [(i, v) for i, v in self.over.items() if v]

    def to_json(self):
        return ["s", self.base, [[i, v] for i, v in sorted(self.over.items())]]

    def json_text(self):
        """JSON of a segment no map owns any more: it can no longer change, so it is cached."""
        if self.text is None:
            self.text = json.dumps(self.to_json(), separators=(",", ":"))
        return self.text


class Dense:
    __slots__ = ("arr", "text")

    def __init__(self, arr):
        self.arr = arr
        self.text = None

    def get(self, i):
        return self.arr[i]

    def copy(self):
        return Dense(array.array("Q", self.arr))

    def items(self):
        a = self.arr
        return [(i, a[i]) for i in range(SEG) if a[i]]

    def to_json(self):
        return ["d", base64.b64encode(self.arr.tobytes()).decode("ascii")]

    json_text = Sparse.json_text


EMPTY = Sparse()


def to_dense(seg):
    if type(seg) is Dense:
        return seg
    arr = array.array("Q", [seg.base]) * SEG
    for i, v in seg.over.items():
        arr[i] = v
    return Dense(arr)


def seg_from_json(j):
    if j[0] == "s":
        return Sparse(j[1], {i: v for i, v in j[2]})
    arr = array.array("Q")
    arr.frombytes(base64.b64decode(j[1]))
    return Dense(arr)


class ChunkMap:
    """grain index -> version word. Segments not in `owned` are shared and copied before a write."""

    def __init__(self, ngrains, segs=None):
        self.ngrains = ngrains
        self.segs = {} if segs is None else segs
        self.owned = set()

    def get(self, g):
        seg = self.segs.get(g // SEG)
        return seg.get(g % SEG) if seg is not None else 0

    def _own(self, si):
        if si in self.owned:
            return self.segs[si]
        seg = self.segs.get(si)
        seg = seg.copy() if seg is not None else Sparse()
        self.segs[si] = seg
        self.owned.add(si)
        return seg

    def set(self, g, v):
        si, i = divmod(g, SEG)
        seg = self._own(si)
        if type(seg) is Sparse:
            if v == seg.base:
                seg.over.pop(i, None)
            else:
                seg.over[i] = v
                if len(seg.over) > DENSE_AT:
                    self.segs[si] = to_dense(seg)
        else:
            seg.arr[i] = v

    def set_range(self, g0, g1, v):
        """Sets [g0, g1) to v; whole segments become one uniform value (compact, and cheap to diff)."""
        g = g0
        while g < g1:
            si = g // SEG
            start, stop = si * SEG, min(g1, (si + 1) * SEG)
            seg_end = min((si + 1) * SEG, self.ngrains)
            if g == start and stop >= seg_end:
                # grains past the LUN end read v too; every reader crops at ngrains, and
                # resize() zeroes them before the LUN grows over them.
                self.segs[si] = Sparse(v)
                self.owned.add(si)
            else:
                for x in range(g, stop):
                    self.set(x, v)
            g = stop

    def freeze(self):
        """A snapshot of this map: shares all segments; this map copies them on its next writes."""
        frozen = ChunkMap(self.ngrains, dict(self.segs))
        self.owned = set()
        return frozen

    def resize(self, ngrains):
        """Grows the map; grains past the old end must read 0 even in a uniform last segment."""
        old = self.ngrains
        self.ngrains = ngrains
        if old % SEG and ngrains > old:
            for g in range(old, min(ngrains, (old // SEG + 1) * SEG)):
                if self.get(g):
                    self.set(g, 0)

    def allocated_grains(self):
        n = 0
        for si, seg in self.segs.items():
            limit = min(SEG, self.ngrains - si * SEG)
            n += sum(1 for i, v in seg.items() if v & 1 and i < limit)
        return n

    def to_json(self):
        return {"ngrains": self.ngrains, "segs": {str(si): s.to_json() for si, s in self.segs.items()}}

    def json_text(self):
        """JSON of a frozen map (no owned segments), from the segments' cached texts."""
        assert not self.owned, "only frozen maps are serialised"
        return '{"ngrains":%d,"segs":{%s}}' % (self.ngrains, ",".join(
            '"%d":%s' % (si, seg.json_text()) for si, seg in self.segs.items()))

    @staticmethod
    def from_json(j, intern):
        """intern: dict json-text -> segment, so segments shared before a restart are shared again."""
        segs = {}
        for si, sj in j["segs"].items():
            key = repr(sj)
            seg = intern.get(key)
            if seg is None:
                seg = intern[key] = seg_from_json(sj)
            segs[int(si)] = seg
        return ChunkMap(j["ngrains"], segs)


def _unlink_all(paths):
    for p in paths:
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass


def remove_trash(directory):
    """Files an earlier run renamed away but did not finish unlinking."""
    for name in os.listdir(directory):
        if name.startswith(".trash-"):
            _unlink_all([os.path.join(directory, name)])


def pattern_bytes(seed, pos, n):
    """The seeded pattern: every 512-byte sector s holds (seed, s) as two little-endian uint64,
    repeated 32 times. Cheap to produce, easy for a Java test to recompute, and no two sectors of
    one seed are equal, so a misplaced byte range always shows."""
    if n <= 0:
        return b""
    s0, s1 = pos // 512, (pos + n + 511) // 512
    buf = b"".join(struct.pack("<QQ", seed, s) * 32 for s in range(s0, s1))
    off = pos - s0 * 512
    return buf[off:off + n]


def _open_rw(path):
    """Opens a LUN file for writing. Files are kept mode 0444 (device files point at them); as a
    non-root user the simulator lifts the mode for the open only."""
    try:
        return os.open(path, os.O_RDWR)
    except PermissionError:
        os.chmod(path, 0o644)
        try:
            return os.open(path, os.O_RDWR)
        finally:
            os.chmod(path, 0o444)


class VersionStore:
    """Old chunk versions preserved for snapshots: slot i of <lun>.cow holds one grain."""

    def __init__(self, path, grain):
        self.path = path
        self.grain = grain
        self.index = {}     # (grain, version) -> slot
        self.free = []
        self.nslots = 0
        self._fd = None

    def fd(self):
        if self._fd is None:
            if not os.path.exists(self.path):
                with open(self.path, "wb"):
                    pass
            self._fd = os.open(self.path, os.O_RDWR)
        return self._fd

    def put(self, g, v, data):
        slot = self.free.pop() if self.free else self.nslots
        if slot == self.nslots:
            self.nslots += 1
        os.pwrite(self.fd(), data, slot * self.grain)
        self.index[(g, v)] = slot

    def get(self, g, v, length):
        slot = self.index[(g, v)]
        data = os.pread(self.fd(), length, slot * self.grain)
        return data.ljust(length, b"\0")

    def drop(self, g, v):
        slot = self.index.pop((g, v), None)
        if slot is not None:
            punch_hole(self.fd(), slot * self.grain, self.grain)
            self.free.append(slot)

    def close(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def to_json(self):
        return {"nslots": self.nslots, "free": self.free,
                "index": [[g, v, s] for (g, v), s in self.index.items()]}

    def load(self, j):
        self.nslots = j["nslots"]
        self.free = list(j["free"])
        self.index = {(g, v): s for g, v, s in j["index"]}


class SnapData:
    """A frozen (activated) snapshot's view of its family: its map and its size."""

    def __init__(self, obj_id, size, cmap):
        self.obj_id = obj_id
        self.size = size
        self.map = cmap


class Family:
    """One live LUN, its activated snapshots (oldest first) and their preserved chunk versions."""

    def __init__(self, lun_id, path, size, grain, create=False):
        self.lun_id = lun_id
        self.path = path
        self.size = size
        self.grain = grain
        self.map = ChunkMap(self.ngrains_for(size))
        self.snaps = []
        self.store = VersionStore(path[:-4] + ".cow" if path.endswith(".img") else path + ".cow", grain)
        self._fd = None
        if create:
            with open(path, "wb") as f:
                f.truncate(size)
            os.chmod(path, 0o444)

    def ngrains_for(self, size):
        return (size + self.grain - 1) // self.grain

    def fd(self):
        if self._fd is None:
            self._fd = _open_rw(self.path)
        return self._fd

    def close(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self.store.close()

    def remove_files(self):
        """Renames the files away at once and unlinks them in the background: freeing the extents
        of a big sparse file takes the filesystem many seconds (28 s for 2 TiB with 670,000)."""
        self.close()
        doomed = []
        for p in (self.path, self.store.path):
            trash = os.path.join(os.path.dirname(p), ".trash-" + os.path.basename(p))
            try:
                os.replace(p, trash)
                doomed.append(trash)
            except FileNotFoundError:
                pass
        if doomed:
            threading.Thread(target=_unlink_all, args=(doomed,), name="unlink", daemon=True).start()

    def glen(self, g, size=None):
        size = self.size if size is None else size
        return min(self.grain, size - g * self.grain)

    # ---------------------------------------------------------------- writes (the "guest")

    def apply(self, offset, length, produce, gen, zero_detect, discard=False):
        """Writes produce(pos, n) over [offset, offset+length), or deallocates it (discard).
        Returns the number of grains whose content or allocation changed."""
        if offset < 0 or length < 0 or offset + length > self.size:
            raise ValueError("range [%d, %d) is outside the LUN (size %d)" % (offset, offset + length, self.size))
        fd, G, cmap = self.fd(), self.grain, self.map
        newest = self.snaps[-1].map if self.snaps else None
        end = offset + length
        pos = offset
        changed = []
        zero_grain = bytes(G)
        while pos < end:
            g = pos // G
            gstart = g * G
            glen = min(G, self.size - gstart)
            a, b = pos - gstart, min(end, gstart + glen) - gstart
            cur = cmap.get(g)
            allocated = cur & 1
            whole = a == 0 and b == glen
            if discard and whole:
                new = None
            else:
                old = os.pread(fd, glen, gstart) if allocated else zero_grain[:glen]
                piece = bytes(b - a) if discard else produce(pos, b - a)
                new = old[:a] + piece + old[b:]
            if new is None or (zero_detect and new == zero_grain[:glen]):
                if allocated:
                    self._preserve(g, cur, newest, fd, gstart, glen)
                    punch_hole(fd, gstart, glen)
                    changed.append((g, gen << 1))
            elif not (allocated and new == old):
                if allocated:
                    self._preserve(g, cur, newest, fd, gstart, glen, old)
                os.pwrite(fd, piece, pos)
                changed.append((g, (gen << 1) | 1))
            pos = gstart + b
        self._record(changed)
        return len(changed)

    def _preserve(self, g, cur, newest, fd, gstart, glen, old=None):
        """Copy-on-write: keep the bytes of a version some snapshot still reads."""
        if newest is not None and newest.get(g) == cur and (g, cur) not in self.store.index:
            self.store.put(g, cur, old if old is not None else os.pread(fd, glen, gstart))

    def _record(self, changed):
        """Sets the new versions; runs of one value become set_range calls (uniform segments)."""
        i = 0
        n = len(changed)
        while i < n:
            g0, v = changed[i]
            j = i + 1
            while j < n and changed[j][0] == changed[j - 1][0] + 1 and changed[j][1] == v:
                j += 1
            if j - i > 1:
                self.map.set_range(g0, changed[j - 1][0] + 1, v)
            else:
                self.map.set(g0, v)
            i = j

    def extend(self, new_size):
        if new_size < self.size:
            raise ValueError("a LUN cannot shrink (%d < %d)" % (new_size, self.size))
        # a partial last grain that was allocated keeps its version; its new tail reads zeros.
        os.ftruncate(self.fd(), new_size)
        self.size = new_size
        self.map.resize(self.ngrains_for(new_size))

    # ---------------------------------------------------------------- snapshots

    def freeze(self, obj_id):
        snap = SnapData(obj_id, self.size, self.map.freeze())
        self.snaps.append(snap)
        return snap

    def find_snap(self, obj_id):
        for s in self.snaps:
            if s.obj_id == obj_id:
                return s
        return None

    def drop_snap(self, obj_id):
        k = next((i for i, s in enumerate(self.snaps) if s.obj_id == obj_id), None)
        if k is None:
            return
        snap = self.snaps[k]
        prev = self.snaps[k - 1].map if k > 0 else None
        nxt = self.snaps[k + 1].map if k + 1 < len(self.snaps) else self.map
        index = self.store.index
        for si, seg in snap.map.segs.items():
            if (prev is not None and prev.segs.get(si) is seg) or nxt.segs.get(si) is seg:
                continue  # a shared segment: every version in it is still referenced
            base = si * SEG
            for i, v in seg.items():
                if v & 1 and (base + i, v) in index:
                    g = base + i
                    if (prev is not None and prev.get(g) == v) or nxt.get(g) == v:
                        continue
                    self.store.drop(g, v)
        del self.snaps[k]

    # ---------------------------------------------------------------- reads

    def read(self, snap, offset, length):
        """Bytes of the live LUN (snap None) or of an activated snapshot."""
        size = self.size if snap is None else snap.size
        if offset < 0 or length < 0 or offset + length > size:
            raise ValueError("range [%d, %d) is outside the object (size %d)" % (offset, offset + length, size))
        fd = self.fd()
        if snap is None:
            return os.pread(fd, length, offset).ljust(length, b"\0")
        out = bytearray(length)  # unallocated grains stay zero
        G = self.grain
        pos, end = offset, offset + length
        run = None  # [start, end) of bytes still in the live file, read with one pread

        def flush():
            if run is not None:
                out[run[0] - offset:run[1] - offset] = os.pread(fd, run[1] - run[0], run[0]).ljust(run[1] - run[0], b"\0")

        while pos < end:
            g = pos // G
            gstart = g * G
            b = min(end, gstart + self.glen(g, size))
            v = snap.map.get(g)
            if v & 1 and self.map.get(g) == v:
                if run is not None and run[1] == pos:
                    run[1] = b
                else:
                    flush()
                    run = [pos, b]
            elif v & 1:
                flush()
                run = None
                out[pos - offset:b - offset] = self.store.get(g, v, G)[pos - gstart:b - gstart]
            pos = b
        flush()
        return bytes(out)

    def copy_snapshot_segment(self, snap, si, dest_fd):
        """Writes one map segment's allocated grains of a snapshot into a clone's file. Grains still
        in the live file are copied in-kernel (copy_file_range; a reflink on XFS or btrfs)."""
        seg = snap.map.segs.get(si)
        if seg is None:
            return 0
        G, fd = self.grain, self.fd()
        copied = 0
        run = None  # [start grain, end grain) served from the live file
        for i, v in seg.items():
            g = si * SEG + i
            if g >= snap.map.ngrains or not v & 1:
                continue
            if self.map.get(g) == v:
                if run is not None and run[1] == g:
                    run[1] = g + 1
                else:
                    if run is not None:
                        copied += self._copy_run(fd, dest_fd, run, snap.size)
                    run = [g, g + 1]
            else:
                n = self.glen(g, snap.size)
                os.pwrite(dest_fd, self.store.get(g, v, G)[:n], g * G)
                copied += n
        if run is not None:
            copied += self._copy_run(fd, dest_fd, run, snap.size)
        return copied

    def _copy_run(self, src, dst, run, size):
        off = run[0] * self.grain
        n = min(run[1] * self.grain, size) - off
        done = 0
        while done < n:
            try:
                k = os.copy_file_range(src, dst, n - done, off + done, off + done)
            except OSError as e:
                if e.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
                    raise
                k = os.pwrite(dst, os.pread(src, min(n - done, 8 << 20), off + done), off + done)
            if k <= 0:
                break
            done += k
        return done

    # ---------------------------------------------------------------- persistence

    def save_image(self):
        """What a save needs, taken under the state lock in O(segments): the live map is frozen (it
        copies segments on its next writes), snapshot maps are immutable, the store index is copied.
        image_text() then serialises it without the lock, so a 2 TiB LUN does not stall requests."""
        return (self.lun_id, self.path, self.size, self.grain, self.map.freeze(),
                [(s.obj_id, s.size, s.map) for s in self.snaps], json.dumps(self.store.to_json()))

    @staticmethod
    def image_text(image):
        lun_id, path, size, grain, live, snaps, store = image
        return '{"lun_id":%s,"path":%s,"size":%d,"grain":%d,"map":%s,"snaps":[%s],"store":%s}' % (
            json.dumps(lun_id), json.dumps(path), size, grain, live.json_text(),
            ",".join('{"obj_id":%s,"size":%d,"map":%s}' % (json.dumps(o), sz, m.json_text()) for o, sz, m in snaps),
            store)

    def to_json(self):
        return {"lun_id": self.lun_id, "path": self.path, "size": self.size, "grain": self.grain,
                "map": self.map.to_json(),
                "snaps": [{"obj_id": s.obj_id, "size": s.size, "map": s.map.to_json()} for s in self.snaps],
                "store": self.store.to_json()}

    @staticmethod
    def from_json(j, intern):
        f = Family(j["lun_id"], j["path"], j["size"], j["grain"])
        f.map = ChunkMap.from_json(j["map"], intern)
        f.snaps = [SnapData(s["obj_id"], s["size"], ChunkMap.from_json(s["map"], intern)) for s in j["snaps"]]
        f.store.load(j["store"])
        return f
