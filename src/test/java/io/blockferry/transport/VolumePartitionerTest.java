package io.blockferry.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/** A volume's chunk-sums HEAD and segments land in the partition of its chunk records. */
class VolumePartitionerTest {

    @Test
    void should_place_every_segment_of_a_volume_where_its_volume_id_goes() {
        for (String volume : new String[] {"volumes/a", "hcs:proj/disk-1", "volumes/odd#name"}) {
            int expected = Utils.toPositive(Utils.murmur2(volume.getBytes(StandardCharsets.UTF_8))) % 8;
            assertEquals(expected, VolumePartitioner.partitionOf(VolumePartitioner.volumeOf(volume), 8), volume);
            for (int segment : new int[] {0, 1, 17}) {
                String key = ChunkSumsRecord.segment(volume, "", 1, "s", 1 << 20, 40L << 30, segment,
                        new byte[32 * 8192]).key();
                assertEquals(expected, VolumePartitioner.partitionOf(VolumePartitioner.volumeOf(key), 8), key);
            }
        }
    }
}
