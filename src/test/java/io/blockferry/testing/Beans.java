package io.blockferry.testing;

import io.blockferry.BlockferryRuntime;
import io.blockferry.inventory.InventoryService;
import io.blockferry.inventory.ServerMetadata;
import io.blockferry.schedule.PolicyRegistry;
import io.blockferry.schedule.SyncTask;
import io.blockferry.schedule.TaskSubmitter;
import io.blockferry.schedule.WorkQueue;
import io.blockferry.source.ChainHints;
import io.blockferry.source.GenerationPlanner;
import io.blockferry.source.SourceManifests;
import io.blockferry.source.SyncRequest;
import io.blockferry.source.SyncWaiters;
import io.blockferry.source.VolumeState;
import io.blockferry.source.VolumeStateStore;
import io.blockferry.target.ChunkWriter;
import io.blockferry.target.Retention;
import io.blockferry.target.Scrubber;
import io.blockferry.restore.ServerMetadataCatalog;
import io.blockferry.transport.GenerationAck;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.camel.CamelExecutionException;

/**
 * The beans of a running Blockferry, looked up in its Camel registry by the names the roles bind
 * them under, so tests reach what the routes reach without accessors of their own on
 * {@link BlockferryRuntime}.
 */
public final class Beans {

    private Beans() {
    }

    /** The bean bound as {@code name}, or an error saying which role binds it. */
    public static <T> T of(BlockferryRuntime runtime, String name, Class<T> type) {
        T bean = runtime.camelContext().getRegistry().lookupByNameAndType(name, type);
        if (bean == null) {
            throw new IllegalStateException("no bean '" + name + "' of type " + type.getSimpleName() + " in the "
                    + "registry: does this runtime run the role that binds it (blockferry.roles)?");
        }
        return bean;
    }

    public static GenerationPlanner planner(BlockferryRuntime runtime) {
        return of(runtime, "generationPlanner", GenerationPlanner.class);
    }

    public static WorkQueue queue(BlockferryRuntime runtime) {
        return of(runtime, "workQueue", WorkQueue.class);
    }

    public static PolicyRegistry policies(BlockferryRuntime runtime) {
        return of(runtime, "policyRegistry", PolicyRegistry.class);
    }

    public static InventoryService inventory(BlockferryRuntime runtime) {
        return of(runtime, "inventory", InventoryService.class);
    }

    public static ChainHints chainHints(BlockferryRuntime runtime) {
        return of(runtime, "chainHints", ChainHints.class);
    }

    /** What the source holds of the target's chunk sums (checksum resyncs). */
    public static io.blockferry.source.TargetChunkSums targetChunkSums(BlockferryRuntime runtime) {
        return of(runtime, "targetChunkSums", io.blockferry.source.TargetChunkSums.class);
    }

    public static SourceManifests sourceManifests(BlockferryRuntime runtime) {
        return of(runtime, "sourceManifests", SourceManifests.class);
    }

    public static Optional<VolumeState> volumeState(BlockferryRuntime runtime, String volumeId) {
        return of(runtime, "volumeStates", VolumeStateStore.class).find(volumeId);
    }

    /** Completes with the target's ack of a volume's generation, when it reaches the source. */
    public static CompletableFuture<GenerationAck> ackOf(BlockferryRuntime runtime, String volumeId, long generation) {
        return of(runtime, "syncWaiters", SyncWaiters.class).register(volumeId, generation);
    }

    /** Queues a sync in the work queue, as the REST API and resyncs do. */
    public static SyncTask submit(BlockferryRuntime runtime, SyncRequest request) {
        return of(runtime, "taskSubmitter", TaskSubmitter.class).submit(request);
    }

    public static ChunkWriter writer(BlockferryRuntime runtime) {
        return of(runtime, "chunkWriter", ChunkWriter.class);
    }

    public static Scrubber scrubber(BlockferryRuntime runtime) {
        return of(runtime, "scrubber", Scrubber.class);
    }

    public static Retention retention(BlockferryRuntime runtime) {
        return of(runtime, "retention", Retention.class);
    }

    public static ServerMetadataCatalog serverMetadata(BlockferryRuntime runtime) {
        return of(runtime, "serverMetadataCatalog", ServerMetadataCatalog.class);
    }

    /** Publishes a server's restore metadata through the server-metadata route and returns it. */
    public static ServerMetadata publishMetadata(BlockferryRuntime runtime, String serverId) {
        try {
            return runtime.camelContext().createProducerTemplate()
                    .requestBody("direct:server-metadata", serverId, ServerMetadata.class);
        } catch (CamelExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }
}
