package io.blockferry.source;

import io.blockferry.transport.ManifestChain;
import io.blockferry.transport.ManifestEntry;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Guards against diffs that miss changes (Ceph has shipped such bugs): after an incremental, it
 * re-reads a random sample of the ranges the diff reported unchanged and compares them with the
 * checksums recorded when they were last sent.
 */
public final class DiffVerifier {

    private final double sampleRate;
    private final int minimum;
    private final Random random;

    public DiffVerifier(double sampleRate, int minimum, Random random) {
        this.sampleRate = sampleRate;
        this.minimum = minimum;
        this.random = random;
    }

    /**
     * @param chain the chain's manifests, oldest first, ending with the generation just streamed
     * @return how many ranges were checked
     * @throws DiffInvalidException when a range that the diff called unchanged differs
     */
    public long verify(String volumeId, List<Path> chain, BlockReader snapshot) {
        if (chain.size() < 2) {
            return 0;
        }
        try (ManifestChain manifests = new ManifestChain(chain)) {
            int previous = manifests.manifests() - 1;
            long population = manifests.size();
            long wanted = Math.max(minimum, (long) Math.ceil(sampleRate * population));
            long[] checked = {0};
            if (sampleRate >= 1.0 || wanted >= population) {
                // every current entry, streamed: nothing of the chain is held in memory
                manifests.forEachCurrent(previous, entry -> check(volumeId, entry, snapshot, ++checked[0], -1));
            } else {
                List<ManifestEntry> entries = manifests.sampleCurrent(previous, (int) Math.min(wanted,
                        Integer.MAX_VALUE), random);
                for (ManifestEntry entry : entries) {
                    check(volumeId, entry, snapshot, ++checked[0], entries.size());
                }
            }
            return checked[0];
        }
    }

    private static void check(String volumeId, ManifestEntry entry, BlockReader snapshot, long checked, long of) {
        byte[] bytes = new byte[(int) entry.length()];
        snapshot.read(entry.offset(), bytes);
        String problem = entry.mismatch(bytes);
        if (problem != null) {
            throw new DiffInvalidException("sampled verification of " + volumeId + ": " + problem
                    + " although the diff reported it unchanged (" + checked + (of < 0 ? "" : " of " + of)
                    + " sampled ranges checked)", checked);
        }
    }

}
