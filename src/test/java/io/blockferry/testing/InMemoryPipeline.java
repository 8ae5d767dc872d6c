package io.blockferry.testing;

import io.blockferry.buffer.BufferPool;
import io.blockferry.events.Event;
import io.blockferry.source.AckHandler;
import io.blockferry.source.BlockSources;
import io.blockferry.source.ChainHints;
import io.blockferry.source.ChunkStream;
import io.blockferry.source.DiffVerifier;
import io.blockferry.source.GenerationPlanner;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.ResyncBackoff;
import io.blockferry.source.SnapshotCleaner;
import io.blockferry.source.SnapshotNames;
import io.blockferry.source.SourceManifests;
import io.blockferry.source.SourceSettings;
import io.blockferry.source.SyncProgress;
import io.blockferry.source.SyncRequest;
import io.blockferry.source.SyncWaiters;
import io.blockferry.source.Throttle;
import io.blockferry.source.VolumeStateStore;
import io.blockferry.store.Database;
import io.blockferry.transport.ChunkRecord;
import io.blockferry.transport.GenerationAck;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The source side of a sync without Camel, Kafka or Ceph: a planner, an ack handler and a state
 * store over an {@link InMemoryBlockSource}, for fast tests of planning, streaming and settling
 * generations. {@link #reopen()} is a process restart: the same state directory, a new planner.
 */
public final class InMemoryPipeline implements AutoCloseable {

    public static final int CHUNK = 1 << 20;
    public static final String PREFIX = "blockferry-";

    public final InMemoryBlockSource backend = new InMemoryBlockSource("mem");
    public final List<Event> events = new CopyOnWriteArrayList<>();
    public final BufferPool buffers;
    private final Path dir;
    private final int readAhead;
    private final long ackTimeoutMillis;
    private final ExecutorService readers = Executors.newFixedThreadPool(8);
    private Database database;
    public VolumeStateStore states;
    public GenerationPlanner planner;
    public AckHandler acks;
    private ResyncBackoff backoff;
    public final List<SyncRequest> resyncs = new CopyOnWriteArrayList<>();

    public InMemoryPipeline(Path dir, int readAhead, int buffers, long ackTimeoutMillis) {
        this.dir = dir;
        this.readAhead = readAhead;
        this.ackTimeoutMillis = ackTimeoutMillis;
        this.buffers = new BufferPool(CHUNK, (long) buffers * CHUNK);
        open();
    }

    private void open() {
        SourceSettings settings = new SourceSettings(CHUNK, readAhead, PREFIX, ackTimeoutMillis, 32, io.blockferry.source.ResyncMode.FULL);
        database = Database.open(dir.resolve("state"), Database.schema(VolumeStateStore.SCHEMA, ChainHints.SCHEMA));
        states = new VolumeStateStore(database);
        ChainHints hints = new ChainHints(database);
        BlockSources sources = new BlockSources(List.of(backend));
        SourceManifests manifests = new SourceManifests(dir.resolve("manifests"));
        SyncWaiters waiters = new SyncWaiters();
        ChunkStream.Reading reading = new ChunkStream.Reading(buffers, readers, readAhead, CHUNK, 4096, 64 << 10);
        planner = new GenerationPlanner(sources, states, settings, manifests,
                new DiffVerifier(0.01, 4, new Random(3)), waiters, events::add, reading, Throttle.unlimited(),
                new SyncProgress(), hints, dir.resolve("extents"));
        backoff = new ResyncBackoff(resyncs::add, Duration.ofHours(1), Duration.ofHours(1));
        acks = new AckHandler(states, new SnapshotCleaner(sources, new SnapshotNames(PREFIX)), manifests, waiters,
                events::add, hints, backoff);
    }

    /** A restart: the planner's memory of what it was publishing is gone; the state on disk stays. */
    public void reopen() {
        backoff.close();
        database.close();
        open();
    }

    public static String id(String volume) {
        return "mem:pool/" + volume;
    }

    /** A generation's records, as a writer receives them, with the DATA payloads copied out. */
    public record Received(ChunkRecord.Begin begin, List<ChunkRecord> records, ChunkRecord.End end) {

        /** {@code base} with the records applied: what the target's image is after committing them. */
        public byte[] applyTo(byte[] base) {
            byte[] image = Arrays.copyOf(base, (int) begin.imageSize());
            for (ChunkRecord record : records) {
                if (record instanceof ChunkRecord.Data d) {
                    d.payload().duplicate().get(image, (int) d.offset(), d.payload().remaining());
                } else if (record instanceof ChunkRecord.Zero z) {
                    Arrays.fill(image, (int) z.offset(), (int) (z.offset() + z.length()), (byte) 0);
                }
            }
            return image;
        }

        public long dataBytes() {
            return records.stream().filter(r -> r instanceof ChunkRecord.Data)
                    .mapToLong(r -> ((ChunkRecord.Data) r).payload().remaining()).sum();
        }
    }

    /** Plans and streams one generation, releasing each record as a publisher does once it is sent. */
    public Received drain(ChunkStream stream) {
        ChunkRecord.Begin begin = null;
        ChunkRecord.End end = null;
        List<ChunkRecord> records = new ArrayList<>();
        while (stream.hasNext()) {
            ChunkRecord record = stream.next();
            if (record instanceof ChunkRecord.Begin b) {
                begin = b;
            } else if (record instanceof ChunkRecord.End e) {
                end = e;
            } else if (record instanceof ChunkRecord.Data d) {
                byte[] copy = new byte[d.payload().remaining()];
                d.payload().duplicate().get(copy);
                records.add(new ChunkRecord.Data(d.volumeId(), d.generation(), d.seq(), d.offset(), d.crc32c(), copy));
                d.release();
            } else {
                records.add(record);
            }
        }
        return new Received(begin, records, end);
    }

    /** One whole sync: plan, stream, publish and the target's commit ack. */
    public Received syncCommitted(SyncRequest request) {
        ChunkStream stream = planner.open(request);
        Received received = drain(stream);
        GenerationReport report = planner.published(stream);
        acks.onAck(GenerationAck.committed(report.volumeId(), report.generation(), report.snapshot(),
                report.mode().name(), received.dataBytes()));
        return received;
    }

    @Override
    public void close() {
        backoff.close();
        readers.shutdownNow();
        database.close();
    }
}
