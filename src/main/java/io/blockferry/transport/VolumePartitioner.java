package io.blockferry.transport;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.utils.Utils;

/**
 * Puts every record of a volume in the partition its volume id hashes to, as Kafka's default
 * partitioner does for the key alone, even when the key carries a suffix after {@code #} (the
 * chunk-sums segments, {@code volume#segment}): whoever consumes a volume's partition then sees
 * its HEAD and all its segments, as the writer of its chunk records does.
 */
public final class VolumePartitioner implements Partitioner {

    /** The volume id a key stands for: the key up to a {@code #} followed only by digits. */
    static String volumeOf(String key) {
        int hash = key.lastIndexOf('#');
        if (hash > 0 && hash < key.length() - 1 && key.substring(hash + 1).chars().allMatch(Character::isDigit)) {
            return key.substring(0, hash);
        }
        return key;
    }

    /** The partition of a volume id among {@code partitions}, as the default partitioner places the same key. */
    public static int partitionOf(String volumeId, int partitions) {
        return Utils.toPositive(Utils.murmur2(volumeId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    @Override
    public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
        int partitions = cluster.partitionsForTopic(topic).size();
        return partitionOf(volumeOf(key == null ? "" : key.toString()), partitions);
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
