package io.blockferry.target;

import io.blockferry.events.EventSink;
import java.util.function.Consumer;

/**
 * What every volume's writer shares: the repository and its catalog, where events and answers go,
 * and when staged data is made durable.
 *
 * @param replicas        each volume's replica
 * @param acks            publishes the answers the commits queue in the catalog
 * @param committed       told each volume that committed a point (retention prunes it)
 * @param checkpointBytes staged bytes after which a volume's staging is made durable
 * @param sums            keeps and publishes the chunk sums of each volume's newest point
 */
record WriterParts(Repository repository, RecoveryPointCatalog catalog, Replicas replicas, EventSink events,
                   AckOutbox acks, Consumer<String> committed, long checkpointBytes, PointSums sums) {
}
