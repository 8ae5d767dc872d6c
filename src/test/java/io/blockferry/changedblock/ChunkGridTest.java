package io.blockferry.changedblock;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkGridTest {

    private static final long C = 1 << 20;

    private static List<Extent> cut(long chunk, Extent... extents) {
        List<Extent> pieces = new ArrayList<>();
        new ChunkGrid(List.of(extents).iterator(), chunk).forEachRemaining(pieces::add);
        return pieces;
    }

    @Test
    void should_cut_an_object_into_chunks() {
        assertEquals(List.of(new Extent(0, C, true), new Extent(C, C, true), new Extent(2 * C, C, true),
                new Extent(3 * C, C, true)), cut(C, new Extent(0, 4 * C, true)));
    }

    @Test
    void should_keep_small_changes_small_and_cut_at_cell_boundaries() {
        assertEquals(List.of(new Extent(4096, 65536, true), new Extent(C - 4096, 4096, true),
                new Extent(C, 4096, true)), cut(C, new Extent(4096, 65536, true), new Extent(C - 4096, 8192, true)));
    }

    @Test
    void should_join_touching_extents_within_a_cell_but_not_across_kinds() {
        assertEquals(List.of(new Extent(0, 8192, true), new Extent(8192, 4096, false)),
                cut(C, new Extent(0, 4096, true), new Extent(4096, 4096, true), new Extent(8192, 4096, false)));
    }

    @Test
    void should_end_with_a_short_piece_when_the_image_is_not_a_chunk_multiple() {
        long size = 2 * C + 300 * 1024;
        List<Extent> pieces = cut(C, new Extent(0, size, true));
        assertEquals(3, pieces.size());
        assertEquals(new Extent(2 * C, 300 * 1024, true), pieces.get(2));
    }

    @Test
    void should_honour_a_4MiB_grid() {
        assertEquals(List.of(new Extent(C, 3 * C, true), new Extent(4 * C, C, true)),
                cut(4 * C, new Extent(C, 4 * C, true)));
    }
}
