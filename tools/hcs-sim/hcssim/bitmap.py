"""The lun_bitmap answers: which chunks differ between two version maps (get_unshared) or hold data
(get_alloc), over one segment, and how the bits are written into CHUNKBITMAP.

Masks are Python ints: bit i = grain (or chunk) i of the range, counted from the range start.
"""
import base64

from .storage import SEG, FULL, EMPTY, Sparse, to_dense

_REVERSE = bytes(int("{:08b}".format(b)[::-1], 2) for b in range(256))


def _n(v):
    """Two unallocated versions hold the same bytes (zeros): they compare equal."""
    return v if v & 1 else 0


def _seg_diff(a, b):
    """Grains whose bytes differ between two segments (None = never written): versions that
    differ, unless both are unallocated (a chunk written and trimmed again is zeros in both)."""
    if a is b:
        return 0
    a = EMPTY if a is None else a
    b = EMPTY if b is None else b
    if type(a) is Sparse and type(b) is Sparse:
        keys = a.over.keys() | b.over.keys()
        ao, bo, ab, bb = a.over, b.over, a.base, b.base
        if _n(ab) == _n(bb):
            m = 0
            for i in keys:
                if _n(ao.get(i, ab)) != _n(bo.get(i, bb)):
                    m |= 1 << i
            return m
        m = FULL
        for i in keys:
            if _n(ao.get(i, ab)) == _n(bo.get(i, bb)):
                m &= ~(1 << i)
        return m
    A, B = to_dense(a).arr, to_dense(b).arr
    if A == B:
        return 0
    bits = bytearray(SEG // 8)
    for blk in range(0, SEG, 64):
        if A[blk:blk + 64] != B[blk:blk + 64]:
            for i in range(blk, blk + 64):
                x, y = A[i], B[i]
                if x != y and (x & 1 or y & 1):
                    bits[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(bits, "little")


def _seg_alloc(a):
    if a is None:
        return 0
    if type(a) is Sparse:
        if a.base & 1:
            m = FULL
            for i, v in a.over.items():
                if not v & 1:
                    m &= ~(1 << i)
            return m
        m = 0
        for i, v in a.over.items():
            if v & 1:
                m |= 1 << i
        return m
    arr = a.arr
    bits = bytearray(SEG // 8)
    for i in range(SEG):
        if arr[i] & 1:
            bits[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(bits, "little")


def grain_mask(target, base, g0, g1):
    """Mask over grains [g0, g1): changed between maps (base given) or allocated (base None)."""
    res = 0
    if g1 <= g0:
        return 0
    for si in range(g0 // SEG, (g1 - 1) // SEG + 1):
        if base is None:
            m = _seg_alloc(target.segs.get(si))
        else:
            m = _seg_diff(target.segs.get(si), base.segs.get(si))
        if not m:
            continue
        start = si * SEG
        lo = max(g0, start) - start
        hi = min(g1, start + SEG) - start
        m = (m >> lo) & ((1 << (hi - lo)) - 1)
        res |= m << (start + lo - g0)
    return res


def group(mask, k):
    """Bit j of the result is set when any of bits [j*k, (j+1)*k) is: BITMAPCHUNKSIZE = k grains."""
    if k == 1 or not mask:
        return mask
    out = 0
    while mask:
        i = (mask & -mask).bit_length() - 1
        j = i // k
        out |= 1 << j
        mask &= ~((1 << ((j + 1) * k)) - 1)
    return out


def encode(mask, nbits, encoding, bit_order):
    """CHUNKBITMAP text for nbits chunks. BITCHARS: one '0'/'1' per chunk, chunk 0 first.
    BASE64/HEX: ceil(nbits/8) bytes, chunk i in byte i//8; MSB_FIRST puts it at bit 7-(i%8)."""
    if encoding == "BITCHARS":
        s = format(mask, "b")[::-1] if mask else ""
        return s.ljust(nbits, "0")
    raw = mask.to_bytes((nbits + 7) // 8, "little")
    if bit_order == "MSB_FIRST":
        raw = raw.translate(_REVERSE)
    if encoding == "HEX":
        return raw.hex()
    return base64.b64encode(raw).decode("ascii")
