package io.blockferry.consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The reference downstream consumer of Blockferry's topics (docs/contract). It reads the chunk
 * and ack topics, verifies every record (CRCs, signatures, sequence, END's counts and digest),
 * spools each generation to disk as it arrives, and hands a generation to the
 * {@link GenerationHandler} only once the target acked it COMMITTED for exactly that generation
 * and snapshot, and only in chain order: a full one at any time, an incremental only onto the
 * snapshot applied last. It remembers what it applied ({@code workDir/state}) and commits Kafka
 * offsets only past records whose generation was applied or dropped, so a restart re-reads what
 * it had not finished. A volume it cannot follow (joined late, lost state, chain broken) gets a
 * signed full-generation request on the requests topic.
 */
public final class BlockferryConsumer implements AutoCloseable {

    /**
     * @param volumes         the volumes to follow (empty: every volume on the topics)
     * @param requestFullWhenMissing ask the source for a full generation of a volume this consumer cannot follow
     * @param startAt         where a new consumer group starts: "earliest" (whatever the topics still keep) or "latest"
     */
    public record Options(String bootstrapServers, String groupId, String consumerName, Path workDir, KeyRing keys,
                          boolean acceptUnsigned, Set<String> volumes, boolean requestFullWhenMissing, String startAt,
                          String chunkTopic, String ackTopic, String requestTopic) {

        public static Options defaults(String bootstrapServers, String groupId, Path workDir, KeyRing keys) {
            return new Options(bootstrapServers, groupId, groupId, workDir, keys, false, Set.of(), true, "earliest",
                    "blockferry.chunks", "blockferry.acks", "blockferry.requests");
        }

        public Options following(Set<String> only) {
            return new Options(bootstrapServers, groupId, consumerName, workDir, keys, acceptUnsigned, Set.copyOf(only),
                    requestFullWhenMissing, startAt, chunkTopic, ackTopic, requestTopic);
        }

        public Options startingAt(String where) {
            return new Options(bootstrapServers, groupId, consumerName, workDir, keys, acceptUnsigned, volumes,
                    requestFullWhenMissing, where, chunkTopic, ackTopic, requestTopic);
        }
    }

    /** What the consumer tells about records it refuses and generations it drops. */
    public interface Listener {
        default void refused(String topic, String key, String cause, String message) {
        }

        default void applied(Generation generation) {
        }

        default void dropped(String volumeId, long generation, String why) {
        }

        default void requested(String volumeId, String reason) {
        }
    }

    private static final System.Logger LOG = System.getLogger(BlockferryConsumer.class.getName());
    private static final long REQUEST_INTERVAL_MILLIS = Duration.ofMinutes(10).toMillis();

    private final Options options;
    private final GenerationHandler handler;
    private final Listener listener;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, Volume> volumes = new HashMap<>();
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private final Map<String, Long> lastRequest = new ConcurrentHashMap<>();
    private KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> producer;
    private volatile boolean running;
    private Thread thread;

    public BlockferryConsumer(Options options, GenerationHandler handler, Listener listener) {
        this.options = options;
        this.handler = handler;
        this.listener = listener;
    }

    /** The snapshot this consumer applied last for a volume, or null. */
    public String appliedSnapshot(String volumeId) {
        Properties p = readState(volumeId);
        return p == null ? null : p.getProperty("snapshot");
    }

    /** The generation this consumer applied last for a volume, or 0. */
    public long appliedGeneration(String volumeId) {
        Properties p = readState(volumeId);
        return p == null ? 0 : Long.parseLong(p.getProperty("generation"));
    }

    public synchronized void start() {
        try {
            Files.createDirectories(options.workDir().resolve("state"));
            Path spool = options.workDir().resolve("spool");
            if (Files.exists(spool)) {
                try (Stream<Path> old = Files.walk(spool)) {
                    old.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(spool);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties c = new Properties();
        c.put("bootstrap.servers", options.bootstrapServers());
        c.put("group.id", options.groupId());
        c.put("enable.auto.commit", "false");
        c.put("auto.offset.reset", options.startAt());
        c.put("max.partition.fetch.bytes", 8 << 20);
        c.put("max.poll.interval.ms", (int) Duration.ofMinutes(30).toMillis());
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        Properties p = new Properties();
        p.put("bootstrap.servers", options.bootstrapServers());
        p.put("acks", "all");
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        running = true;
        thread = new Thread(this::run, "blockferry-consumer-" + options.groupId());
        thread.start();
    }

    /** Once listening (positions fixed), asks for a full generation of each followed volume it holds nothing of. */
    private final class Joined implements ConsumerRebalanceListener {
        private boolean asked;

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            partitions.forEach(consumer::position);
            if (!asked && options.requestFullWhenMissing()) {
                asked = true;
                for (String volume : options.volumes()) {
                    if (readState(volume) == null) {
                        request(volume, "joined-late");
                    }
                }
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            commit();
        }
    }

    private void run() {
        try {
            consumer.subscribe(List.of(options.chunkTopic(), options.ackTopic()), new Joined());
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    positions.put(tp, r.offset() + 1);
                    if (r.key() == null || !options.volumes().isEmpty() && !options.volumes().contains(r.key())) {
                        continue;
                    }
                    try {
                        if (r.topic().equals(options.chunkTopic())) {
                            chunk(r, tp);
                        } else {
                            ack(r, tp);
                        }
                    } catch (RecordRefusedException e) {
                        LOG.log(System.Logger.Level.WARNING, "Refused a record of {0} on {1} ({2}): {3}", r.key(),
                                r.topic(), e.cause(), e.getMessage());
                        listener.refused(r.topic(), r.key(), e.cause(), e.getMessage());
                    }
                }
                commit();
            }
        } catch (WakeupException e) {
            // close()
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "The consumer stopped: " + e.getMessage(), e);
        } finally {
            consumer.close();
        }
    }

    private Volume volume(String id) {
        return volumes.computeIfAbsent(id, Volume::new);
    }

    private void chunk(ConsumerRecord<String, byte[]> r, TopicPartition tp) throws IOException {
        ChunkFrame frame = ChunkFrame.decode(r.value(), options.keys(), options.acceptUnsigned());
        if (!frame.volumeId().equals(r.key())) {
            throw new RecordRefusedException("record-malformed", "a frame of " + frame.volumeId() + " keyed " + r.key());
        }
        Volume v = volume(frame.volumeId());
        if (frame instanceof ChunkFrame.Begin b) {
            if (b.generation() <= v.applied()) {
                return; // a redelivery of what was applied
            }
            if (v.open != null && v.open.begin.generation() == b.generation()) {
                return; // a redelivered BEGIN
            }
            if (v.open != null) {
                v.drop(v.open, "superseded by generation " + b.generation() + " before its END");
            }
            // frames of one volume come in order: an ack of an older generation not received whole is moot
            v.acks.keySet().removeIf(gen -> gen < b.generation() && !v.complete.containsKey(gen));
            v.open = new Open(b, tp, r.offset(), spoolFile(b));
            return;
        }
        Open open = v.open;
        if (open == null || open.begin.generation() != frame.generation() || frame.seq() < open.nextSeq) {
            return; // joined mid-generation, or a redelivery
        }
        if (frame.seq() > open.nextSeq) {
            v.drop(open, "records missing (" + open.nextSeq + " never arrived)");
            return;
        }
        open.nextSeq++;
        if (frame instanceof ChunkFrame.End e) {
            v.open = null;
            String mismatch = open.end(e);
            if (mismatch != null) {
                v.drop(open, mismatch);
                return;
            }
            v.complete.put(open.begin.generation(), open);
            v.tryApply();
        } else {
            open.append(frame);
        }
    }

    private void ack(ConsumerRecord<String, byte[]> r, TopicPartition tp) throws IOException {
        options.keys().verifyJson("acks", r.key(), r.value(), header(r, "blockferry-key-id"),
                header(r, "blockferry-signature"));
        JsonNode ack = json.readTree(r.value());
        Volume v = volume(r.key());
        long generation = ack.path("generation").asLong();
        if (generation <= v.applied()) {
            return;
        }
        v.acks.put(generation, new Ack(ack.path("status").asText(), ack.path("snapshot").asText(), tp, r.offset()));
        v.tryApply();
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Commits, per partition, the offset of the first record still needed (an unapplied generation's BEGIN, its ack). */
    private void commit() {
        Map<TopicPartition, Long> held = new HashMap<>();
        for (Volume v : volumes.values()) {
            Stream.concat(Stream.ofNullable(v.open), v.complete.values().stream())
                    .forEach(o -> held.merge(o.partition, o.beginOffset, Math::min));
            v.acks.values().forEach(a -> held.merge(a.partition, a.offset, Math::min));
        }
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        for (Map.Entry<TopicPartition, Long> e : positions.entrySet()) {
            commits.put(e.getKey(), new OffsetAndMetadata(Math.min(e.getValue(), held.getOrDefault(e.getKey(),
                    Long.MAX_VALUE))));
        }
        if (!commits.isEmpty()) {
            consumer.commitSync(commits);
        }
    }

    /** Publishes a signed full-generation request for a volume (at most every 10 minutes per volume). */
    public void request(String volumeId, String reason) {
        request(volumeId, reason, "");
    }

    /**
     * The same, addressed to the source site whose generations this consumer follows (the
     * sourceSite of their BEGIN), so another source with the same volume id leaves it alone.
     */
    public void request(String volumeId, String reason, String sourceSite) {
        long now = System.currentTimeMillis();
        Long last = lastRequest.get(volumeId);
        if (last != null && now - last < REQUEST_INTERVAL_MILLIS) {
            return;
        }
        lastRequest.put(volumeId, now);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "full-generation");
        body.put("volumeId", volumeId);
        body.put("requestId", UUID.randomUUID().toString());
        body.put("requestedBy", options.consumerName());
        body.put("reason", reason);
        body.put("atMillis", now);
        if (sourceSite != null && !sourceSite.isEmpty()) {
            body.put("sourceSite", sourceSite);
        }
        try {
            byte[] value = json.writeValueAsBytes(body);
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(options.requestTopic(), volumeId, value);
            if (!options.keys().isEmpty()) {
                String id = options.keys().signingId();
                record.headers().add("blockferry-key-id", id.getBytes(StandardCharsets.UTF_8));
                record.headers().add("blockferry-signature", options.keys().jsonSignature(id, "requests", volumeId,
                        value).getBytes(StandardCharsets.UTF_8));
            }
            producer.send(record).get();
            LOG.log(System.Logger.Level.INFO, "Asked for a full generation of {0} ({1})", volumeId, reason);
            listener.requested(volumeId, reason);
        } catch (Exception e) {
            lastRequest.remove(volumeId);
            LOG.log(System.Logger.Level.WARNING, "Asking for a full generation of " + volumeId + " failed: " + e);
        }
    }

    private Path spoolFile(ChunkFrame.Begin b) {
        return options.workDir().resolve("spool").resolve(URLEncoder.encode(b.volumeId(), StandardCharsets.UTF_8)
                + ".g" + b.generation());
    }

    private Path stateFile(String volumeId) {
        return options.workDir().resolve("state").resolve(URLEncoder.encode(volumeId, StandardCharsets.UTF_8)
                + ".properties");
    }

    private Properties readState(String volumeId) {
        Path file = stateFile(volumeId);
        if (!Files.exists(file)) {
            return null;
        }
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            p.load(in);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeState(Generation g) throws IOException {
        Path file = stateFile(g.volumeId());
        Path part = file.resolveSibling(file.getFileName() + ".part");
        String text = "generation=" + g.generation() + "\nsnapshot=" + g.snapshot() + "\n";
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            out.force(true);
        }
        Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private record Ack(String status, String snapshot, TopicPartition partition, long offset) {
    }

    /** A generation being received into its spool. */
    private static final class Open {
        final ChunkFrame.Begin begin;
        final TopicPartition partition;
        final long beginOffset;
        final Path spool;
        final FileChannel out;
        final MessageDigest digest;
        final ByteBuffer head = ByteBuffer.allocate(21);
        long nextSeq = 1;
        long dataChunks;
        long zeroChunks;
        long dataBytes;
        long zeroBytes;
        long nextOffset;
        int largest;
        String broken;

        Open(ChunkFrame.Begin begin, TopicPartition partition, long beginOffset, Path spool) throws IOException {
            this.begin = begin;
            this.partition = partition;
            this.beginOffset = beginOffset;
            this.spool = spool;
            this.out = FileChannel.open(spool, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        void append(ChunkFrame frame) throws IOException {
            long offset;
            long length;
            head.clear();
            if (frame instanceof ChunkFrame.Data d) {
                offset = d.offset();
                length = d.payload().remaining();
                head.put((byte) 'w').putLong(offset).putLong(length).putInt(d.crc32c());
                dataChunks++;
                dataBytes += length;
                largest = (int) Math.max(largest, length);
            } else {
                ChunkFrame.Zero z = (ChunkFrame.Zero) frame;
                offset = z.offset();
                length = z.length();
                head.put((byte) 'z').putLong(offset).putLong(length).putInt(0);
                zeroChunks++;
                zeroBytes += length;
            }
            if (offset < nextOffset || offset + length > begin.imageSize()) {
                broken = "record " + frame.seq() + " is out of order or outside the image";
            }
            nextOffset = offset + length;
            digest.update(head.array(), 0, 21);
            head.flip().limit(17);
            writeFully(head);
            if (frame instanceof ChunkFrame.Data d) {
                writeFully(d.payload().duplicate());
            }
        }

        private void writeFully(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                out.write(b);
            }
        }

        /** Verifies END; null when the generation is whole. */
        String end(ChunkFrame.End e) throws IOException {
            out.force(true);
            out.close();
            if (broken != null) {
                return broken;
            }
            if (e.dataChunks() != dataChunks || e.zeroChunks() != zeroChunks || e.dataBytes() != dataBytes
                    || e.zeroBytes() != zeroBytes) {
                return "END's counts differ from the records received";
            }
            if (!Arrays.equals(digest.digest(), e.manifestDigest())) {
                return "the manifest digest differs";
            }
            return null;
        }

        void discard() {
            try {
                out.close();
                Files.deleteIfExists(spool);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** What the consumer knows of one volume. */
    private final class Volume {
        final String id;
        Open open;
        final Map<Long, Open> complete = new HashMap<>();
        final Map<Long, Ack> acks = new HashMap<>();

        Volume(String id) {
            this.id = id;
        }

        long applied() {
            return appliedGeneration(id);
        }

        void drop(Open o, String why) {
            o.discard();
            if (open == o) {
                open = null;
            }
            complete.remove(o.begin.generation());
            acks.remove(o.begin.generation());
            LOG.log(System.Logger.Level.INFO, "Dropped {0} generation {1}: {2}", id, o.begin.generation(), why);
            listener.dropped(id, o.begin.generation(), why);
        }

        /** Applies, in order, every complete generation the target committed; drops what it rejected. */
        void tryApply() throws IOException {
            boolean progress = true;
            while (progress) {
                progress = false;
                for (Open o : List.copyOf(complete.values())) {
                    Ack ack = acks.get(o.begin.generation());
                    if (ack == null) {
                        continue;
                    }
                    if (!ack.snapshot().equals(o.begin.snapshot())) {
                        acks.remove(o.begin.generation()); // names another snapshot: not about this generation
                        continue;
                    }
                    if (!"COMMITTED".equals(ack.status())) {
                        drop(o, "the target rejected it");
                        progress = true;
                        continue;
                    }
                    String snapshot = appliedSnapshot(id);
                    if (!o.begin.full() && !o.begin.baseSnapshot().equals(snapshot)) {
                        drop(o, "it builds on " + o.begin.baseSnapshot() + " but this consumer holds "
                                + (snapshot == null ? "nothing" : snapshot));
                        if (options.requestFullWhenMissing()) {
                            request(id, snapshot == null ? "joined-late" : "consumer-chain-broken",
                                    o.begin.sourceSite());
                        }
                        progress = true;
                        continue;
                    }
                    Generation g = new Generation(o.begin, o.spool, o.largest);
                    handler.apply(g);
                    writeState(g);
                    complete.remove(o.begin.generation());
                    acks.remove(o.begin.generation());
                    Files.deleteIfExists(o.spool);
                    for (Open older : List.copyOf(complete.values())) {
                        if (older.begin.generation() <= g.generation()) {
                            drop(older, "older than generation " + g.generation() + ", applied");
                        }
                    }
                    acks.keySet().removeIf(gen -> gen <= g.generation());
                    LOG.log(System.Logger.Level.INFO, "Applied {0} generation {1} ({2}, snapshot {3})", id,
                            g.generation(), g.full() ? "full" : "incremental", g.snapshot());
                    listener.applied(g);
                    progress = true;
                }
            }
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            t = thread;
        }
        consumer.wakeup();
        try {
            t.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close();
    }
}
