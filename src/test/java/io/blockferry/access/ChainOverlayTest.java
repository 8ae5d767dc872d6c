package io.blockferry.access;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.target.RbdDiffWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The extent map of a point's chain: what it resolves equals applying the diffs in order, and it reads no data. */
class ChainOverlayTest {

    private static final int SIZE = 1 << 20;

    @Test
    void should_resolve_every_byte_as_applying_the_chain_in_order_would(@TempDir Path dir) throws IOException {
        Random random = new Random(11);
        for (int round = 0; round < 20; round++) {
            byte[] model = new byte[SIZE];
            List<Path> chain = new ArrayList<>();
            for (int d = 0; d < 4; d++) {
                Path diff = dir.resolve("r" + round + "-d" + d + ".rbddiff");
                try (RbdDiffWriter w = RbdDiffWriter.create(diff, d == 0 ? null : "s" + (d - 1), "s" + d, SIZE)) {
                    // sorted, non-overlapping records within one diff, overlapping those of the others
                    TreeSet<Integer> cuts = new TreeSet<>();
                    while (cuts.size() < 2 * (1 + random.nextInt(12))) {
                        cuts.add(random.nextInt(SIZE / 512) * 512);
                    }
                    Integer[] at = cuts.toArray(Integer[]::new);
                    for (int i = 0; i + 1 < at.length; i += 2) {
                        int offset = at[i];
                        int length = at[i + 1] - at[i];
                        if (random.nextInt(4) == 0) {
                            w.zero(offset, length);
                            Arrays.fill(model, offset, offset + length, (byte) 0);
                        } else {
                            byte[] payload = new byte[length];
                            random.nextBytes(payload);
                            w.data(offset, payload);
                            System.arraycopy(payload, 0, model, offset, length);
                        }
                    }
                    w.end();
                }
                chain.add(diff);
            }
            assertArrayEquals(model, resolve(ChainOverlay.of(chain), chain), "round " + round);
        }
    }

    @Test
    void should_map_a_one_tib_chain_from_its_record_headers_alone(@TempDir Path dir) throws IOException {
        long tib = 1L << 40;
        int record = 4 << 20;
        List<Path> chain = new ArrayList<>();
        chain.add(sparseDiff(dir.resolve("full.rbddiff"), tib, record, 1, new Random(1)));
        for (int i = 0; i < 10; i++) {
            chain.add(sparseDiff(dir.resolve("incr" + i + ".rbddiff"), tib, record, 100, new Random(2 + i)));
        }
        long began = System.nanoTime();
        ChainOverlay overlay = ChainOverlay.of(chain);
        long mapped = System.nanoTime();
        overlay.write(Files.createDirectories(dir.resolve("export")), chain);
        long written = System.nanoTime();
        assertEquals(tib, overlay.size());
        assertEquals(tib, overlay.dataBytes(), "every range holds data");
        assertTrue(mapped - began < 20_000_000_000L, "the map of 1 TiB took " + (mapped - began) / 1e9 + " s");

        // nbdkit's python plugin loads the map and serves it (the script Blockferry ships)
        Path export = dir.resolve("export");
        try (var script = ChainOverlay.class.getResourceAsStream("/access/point-overlay.py")) {
            Files.copy(script, export.resolve("point-overlay.py"));
        }
        int port = io.blockferry.testing.TestRuntimes.freePort();
        Process nbdkit = new ProcessBuilder("nbdkit", "-f", "-r", "-i", "127.0.0.1", "-p", Integer.toString(port),
                "-P", export.resolve("pid").toString(), "python", export.resolve("point-overlay.py").toString(),
                "overlay=" + export).redirectErrorStream(true).redirectOutput(export.resolve("log").toFile()).start();
        try {
            io.blockferry.testing.Await.until(() -> Files.exists(export.resolve("pid")), ready -> ready,
                    java.time.Duration.ofSeconds(60), "nbdkit to serve the 1 TiB point");
            long serving = System.nanoTime();
            Process info = new ProcessBuilder("nbdinfo", "--size", "nbd://127.0.0.1:" + port).start();
            String answer = new String(info.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            assertEquals(Long.toString(tib), answer);
            System.out.printf("ChainOverlay: 1 TiB full point (%d records of 4 MiB) + 10 incrementals of 1%%: mapped in "
                            + "%.2f s, %d segments written in %.2f s, nbdkit serving %.2f s later%n", tib / record,
                    (mapped - began) / 1e9, overlay.segments().size(), (written - mapped) / 1e9,
                    (serving - written) / 1e9);
        } finally {
            nbdkit.destroy();
        }
    }

    /** A diff whose data records cover every {@code every}-th record slot; the payloads are holes of the file. */
    private static Path sparseDiff(Path file, long size, int record, int every, Random random) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            b.put("rbd diff v1\n".getBytes(StandardCharsets.US_ASCII)).put((byte) 's').putLong(size).flip();
            out.write(b);
            long position = out.position();
            long slots = size / record;
            for (long slot = every == 1 ? 0 : random.nextInt(every); slot < slots; slot += every) {
                b.clear();
                b.put((byte) 'w').putLong(slot * record).putLong(record).flip();
                out.write(b, position);
                position += 17 + record;
            }
            b.clear();
            b.put((byte) 'e').flip();
            out.write(b, position);
        }
        return file;
    }

    /** The image the overlay describes, read from its segments the way point-overlay.py reads them. */
    private static byte[] resolve(ChainOverlay overlay, List<Path> chain) throws IOException {
        byte[] image = new byte[(int) overlay.size()];
        for (ChainOverlay.Segment s : overlay.segments()) {
            if (s.file() >= 0) {
                try (RandomAccessFile f = new RandomAccessFile(chain.get(s.file()).toFile(), "r")) {
                    f.seek(s.fileOffset());
                    f.readFully(image, (int) s.start(), (int) s.length());
                }
            }
        }
        return image;
    }
}
