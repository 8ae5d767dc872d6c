package io.blockferry.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.blockferry.BlockferryRuntime;
import io.blockferry.events.Causes;
import io.blockferry.events.EventTypes;
import io.blockferry.inventory.Flavor;
import io.blockferry.inventory.ServerMetadata;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncRequest;
import io.blockferry.target.RecoveryPoint;
import io.blockferry.testing.Await;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.RecordProducer;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.testing.TopicWatch;
import io.blockferry.transport.ChunkCodec;
import io.blockferry.transport.ChunkRecord;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.CRC32C;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12: the Kafka contract in {@code docs/contract} against reality. A real Blockferry signs
 * with the documented example key and syncs a real RBD image (full, incremental with a trim, and a
 * full generation a consumer asks for); every chunk frame it published is decoded by
 * {@link SpecDecoder}, which reads only the document's tables, and checked as the document says
 * (CRCs, MACs, sequence, counts, digest); the generations rebuilt from the frames alone match
 * {@code rbd export} of each snapshot. Every JSON record and header is validated against the
 * JSON Schemas. {@code -Dcontract.examples=write} rewrites the worked example from this run's frames.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContractTest {

    private static final int MiB = 1 << 20;
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final Path DOCS = Path.of("docs/contract");
    static final String EXAMPLE_KEY_ID = "example";
    /** The documented example key: the bytes 0 to 31. Public: never use it. */
    static final byte[] EXAMPLE_KEY = exampleKey();

    private final ObjectMapper json = new ObjectMapper();
    private BlockferryRuntime runtime;
    private Path dataDir;
    private TestImage image;
    private final List<GenerationReport> generations = new ArrayList<>();
    private List<TopicWatch.Seen> chunks;
    private List<TopicWatch.Seen> acks;
    private List<TopicWatch.Seen> events;
    private List<TopicWatch.Seen> deadLetters;
    private byte[] request;
    private SchemaRegistry schemas;

    private static byte[] exampleKey() {
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) i;
        }
        return key;
    }

    @BeforeAll
    void syncForReal(@TempDir Path data, @TempDir Path keys) throws Exception {
        Path keyFile = keys.resolve("example.key");
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(EXAMPLE_KEY) + "\n");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        dataDir = data;
        runtime = TestRuntimes.start(data, Map.of("blockferry.security.record-keys", EXAMPLE_KEY_ID + "=" + keyFile));
        image = new TestImage("volumes", "it-contract-spec", 8L * MiB, 1201);
        image.writeRandom(0, 3 * MiB);
        image.writeZeros(3L * MiB, 256 * 1024);
        generations.add(sync(SyncRequest.full(image.volumeId(), "test")));
        image.writeZeros(MiB, 128 * 1024);
        image.writeRandom(5L * MiB, 64);
        generations.add(sync(SyncRequest.incremental(image.volumeId(), "test")));
        try (RecordProducer producer = new RecordProducer(runtime.bootstrapServers());
             TopicWatch watch = TopicWatch.events(runtime.bootstrapServers())) {
            producer.send("blockferry.chunks", image.volumeId(), "not a frame".getBytes(StandardCharsets.UTF_8),
                    Map.of());
            watch.awaitEvent("dead-letter", image.volumeId(), "not-a-chunk-record", WAIT);
            request = json.writeValueAsBytes(Map.of("type", "full-generation", "volumeId", image.volumeId(),
                    "requestId", UUID.randomUUID().toString(), "requestedBy", "contract-test",
                    "reason", "joined-late", "atMillis", System.currentTimeMillis()));
            producer.send("blockferry.requests", image.volumeId(), request, Map.of(
                    "blockferry-key-id", EXAMPLE_KEY_ID,
                    "blockferry-signature", jsonSignature("requests", image.volumeId(), request)));
            watch.awaitEvent("full-generation-requested", image.volumeId(), "joined-late", WAIT);
        }
        RecoveryPoint requested = Await.until(() -> runtime.writer().catalog().latest(image.volumeId()).orElseThrow(),
                p -> p.generation() == 3 && p.committed(), WAIT, "the requested full generation committed");
        assertEquals("FULL", requested.mode());
        exports.put(requested.snapshot(), LocalCeph.exportSha256("volumes", image.name, requested.snapshot()));
        chunks = read("blockferry.chunks");
        acks = read("blockferry.acks");
        events = read("blockferry.events");
        deadLetters = read("blockferry.dead-letters");
        Map<String, String> files = new LinkedHashMap<>();
        try (var list = Files.list(DOCS.resolve("schemas"))) {
            for (Path file : list.toList()) {
                files.put(SCHEMA_BASE + file.getFileName(), Files.readString(file));
            }
        }
        schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, builder -> builder
                .resourceLoaders(r -> r.resources(files)));
    }

    /** rbd export of each snapshot, taken while the source still has it (it keeps only the newest acked one). */
    private final Map<String, String> exports = new LinkedHashMap<>();

    private GenerationReport sync(SyncRequest request) {
        GenerationReport report = runtime.sync(request);
        exports.put(report.snapshot(), LocalCeph.exportSha256("volumes", image.name, report.snapshot()));
        report.awaitCommitted(WAIT);
        return report;
    }

    private List<TopicWatch.Seen> read(String topic) {
        try (TopicWatch watch = new TopicWatch(runtime.bootstrapServers(), topic)) {
            return watch.readToEnd(WAIT);
        }
    }

    @AfterAll
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
        if (image != null) {
            image.close();
        }
    }

    private static byte[] derived(String label) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(EXAMPLE_KEY, "HmacSHA256"));
        return mac.doFinal(label.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] hmac(byte[]... parts) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(derived("blockferry-record-mac-v1"), "HmacSHA256"));
        for (byte[] part : parts) {
            mac.update(part);
        }
        return mac.doFinal();
    }

    /** The JSON signature exactly as the contract's README describes it, computed here from the text. */
    static String jsonSignature(String channel, String key, byte[] value) throws Exception {
        byte[] c = channel.getBytes(StandardCharsets.UTF_8);
        byte[] k = key == null ? new byte[0] : key.getBytes(StandardCharsets.UTF_8);
        return HexFormat.of().formatHex(hmac("blockferry-json-v1".getBytes(StandardCharsets.US_ASCII),
                ByteBuffer.allocate(4).putInt(c.length).array(), c, ByteBuffer.allocate(4).putInt(k.length).array(), k,
                value));
    }

    private static int crc32c(byte[] b, int from, int to) {
        CRC32C crc = new CRC32C();
        crc.update(b, from, to - from);
        return (int) crc.getValue();
    }

    /** Decodes a frame with the document's tables and makes every check the document lists. */
    private static SpecDecoder.Decoded checked(SpecDecoder spec, byte[] frame) throws Exception {
        SpecDecoder.Decoded d = spec.decode(frame);
        assertEquals(0x4246434BL, d.number("magic"));
        assertEquals(5, d.number("version"));
        assertEquals(d.number("headerCrc"), Integer.toUnsignedLong(crc32c(frame, 0, d.offsets().get("headerCrc"))),
                "headerCrc covers every byte before it");
        assertEquals(1, d.number("flags"), "signed, not encrypted");
        assertEquals(EXAMPLE_KEY_ID, new String(d.bytes("keyId"), StandardCharsets.US_ASCII));
        int macAt = d.offsets().get("mac");
        assertArrayEquals(hmac(Arrays.copyOfRange(frame, 0, macAt)), d.bytes("mac"), "the MAC of the frame");
        assertEquals(frame.length, macAt + 32);
        if (d.number("type") == 2) {
            byte[] payload = d.bytes("payload");
            assertEquals(d.number("crc32c"), Integer.toUnsignedLong(crc32c(payload, 0, payload.length)));
        }
        return d;
    }

    @Test
    void should_decode_every_frame_of_a_real_sync_with_the_documented_layout_and_rebuild_each_snapshot()
            throws Exception {
        SpecDecoder spec = SpecDecoder.read(DOCS.resolve("chunk-records.md"));
        Map<Long, List<SpecDecoder.Decoded>> byGeneration = new LinkedHashMap<>();
        for (TopicWatch.Seen seen : chunks) {
            if (!image.volumeId().equals(seen.key()) || seen.value().length < 4
                    || ByteBuffer.wrap(seen.value()).getInt() != 0x4246434B) {
                continue; // the test's own junk record
            }
            SpecDecoder.Decoded d = checked(spec, seen.value());
            assertEquals(seen.key(), d.text("volumeId"), "the key is the volume id");
            // the codec agrees with the document on every record
            ChunkRecord record = ChunkCodec.decode(ByteBuffer.wrap(seen.value()), io.blockferry.testing.RecordKeyFiles
                    .keysOf(EXAMPLE_KEY_ID, EXAMPLE_KEY));
            assertEquals(record.generation(), d.number("generation"));
            assertEquals(record.seq(), d.number("seq"));
            byGeneration.computeIfAbsent(d.number("generation"), g -> new ArrayList<>()).add(d);
        }
        assertEquals(List.of(1L, 2L, 3L), List.copyOf(byGeneration.keySet()));
        byte[] replica = null;
        for (GenerationReport report : List.of(generations.get(0), generations.get(1))) {
            replica = rebuildAndCheck(byGeneration.get(report.generation()), replica, report.snapshot());
        }
        String third = runtime.writer().catalog().latest(image.volumeId()).orElseThrow().snapshot();
        SpecDecoder.Decoded begin = byGeneration.get(3L).get(0);
        assertEquals("requested", begin.text("cause"), "a requested full generation says so");
        rebuildAndCheck(byGeneration.get(3L), replica, third);
    }

    /** Applies one generation as the document says and compares it with rbd export of its snapshot. */
    private byte[] rebuildAndCheck(List<SpecDecoder.Decoded> records, byte[] previous, String snapshot)
            throws Exception {
        SpecDecoder.Decoded begin = records.get(0);
        SpecDecoder.Decoded end = records.get(records.size() - 1);
        assertEquals(1, begin.number("type"));
        assertEquals(4, end.number("type"));
        assertEquals(snapshot, begin.text("snapshot"));
        assertEquals(io.blockferry.store.InstallationId.of(dataDir), begin.text("sourceSite"),
                "BEGIN names its source site: by default the installation id");
        boolean full = begin.number("mode") == 0;
        assertEquals(full, begin.text("baseSnapshot").isEmpty());
        byte[] image = full ? new byte[(int) begin.number("imageSize")] : previous.clone();
        MessageDigest manifest = MessageDigest.getInstance("SHA-256");
        long dataChunks = 0;
        long zeroChunks = 0;
        long dataBytes = 0;
        long zeroBytes = 0;
        long nextOffset = 0;
        long covered = 0;
        for (int i = 0; i < records.size(); i++) {
            SpecDecoder.Decoded r = records.get(i);
            assertEquals(i, r.number("seq"), "records numbered from 0 without gaps");
            if (i == 0 || i == records.size() - 1) {
                continue;
            }
            long offset = r.number("offset");
            assertTrue(offset >= nextOffset, "offset order");
            ByteBuffer entry = ByteBuffer.allocate(21);
            if (r.number("type") == 2) {
                byte[] payload = r.bytes("payload");
                System.arraycopy(payload, 0, image, (int) offset, payload.length);
                entry.put((byte) 'w').putLong(offset).putLong(payload.length).putInt((int) r.number("crc32c"));
                dataChunks++;
                dataBytes += payload.length;
                nextOffset = offset + payload.length;
            } else {
                assertEquals(3, r.number("type"));
                long length = r.number("length");
                Arrays.fill(image, (int) offset, (int) (offset + length), (byte) 0);
                entry.put((byte) 'z').putLong(offset).putLong(length).putInt(0);
                zeroChunks++;
                zeroBytes += length;
                nextOffset = offset + length;
            }
            covered = nextOffset - offset + covered;
            manifest.update(entry.array());
        }
        assertEquals(records.size() - 1, end.number("seq"));
        assertEquals(dataChunks, end.number("dataChunks"));
        assertEquals(zeroChunks, end.number("zeroChunks"));
        assertEquals(dataBytes, end.number("dataBytes"));
        assertEquals(zeroBytes, end.number("zeroBytes"));
        assertArrayEquals(manifest.digest(), end.bytes("manifestDigest"), "the digest of DATA and ZERO entries only");
        assertEquals(begin.number("changedBytes"), covered, "BEGIN's changedBytes is what the records cover");
        assertEquals(exports.get(snapshot),
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image)),
                "rebuilt from the frames alone, generation of " + snapshot + " is bit-identical to rbd export");
        return image;
    }

    private static final String SCHEMA_BASE = "https://blockferry.io/contract/v1/";

    private Schema schema(String file) {
        return schemas.getSchema(SchemaLocation.of(SCHEMA_BASE + file));
    }

    private static void valid(Schema schema, JsonNode node, String what) {
        var errors = schema.validate(node);
        assertTrue(errors.isEmpty(), what + " does not follow its schema: " + errors + "\n" + node);
    }

    private void signedJson(TopicWatch.Seen seen, String channel) throws Exception {
        valid(schema("json-headers.schema.json"), json.valueToTree(seen.headers()), channel + " headers");
        assertEquals("application/json", seen.headers().get("Content-Type"), channel + " headers " + seen.headers());
        assertEquals(EXAMPLE_KEY_ID, seen.headers().get("blockferry-key-id"));
        assertEquals(jsonSignature(channel, seen.key(), seen.value()), seen.headers().get("blockferry-signature"),
                "the signature as the contract describes it");
    }

    @Test
    void should_validate_every_json_record_and_header_against_the_schemas() throws Exception {
        assertFalse(acks.isEmpty());
        for (TopicWatch.Seen ack : acks) {
            valid(schema("ack.schema.json"), ack.json(), "ack");
            assertEquals(ack.key(), ack.json().path("volumeId").asText());
            signedJson(ack, "acks");
        }
        Set<String> types = new HashSet<>();
        for (TopicWatch.Seen event : events) {
            valid(schema("event.schema.json"), event.json(), "event");
            types.add(event.json().path("type").asText());
            signedJson(event, "events");
        }
        assertTrue(types.containsAll(Set.of("dead-letter", "full-generation-requested")), types.toString());
        assertFalse(deadLetters.isEmpty());
        for (TopicWatch.Seen dead : deadLetters) {
            valid(schema("dead-letter-headers.schema.json"), json.valueToTree(dead.headers()), "dead-letter headers");
        }
        assertTrue(deadLetters.stream().anyMatch(d -> "not a frame".equals(new String(d.value(),
                StandardCharsets.UTF_8)) && "not-a-chunk-record".equals(d.headers().get("blockferry-cause"))));
        valid(schema("full-generation-request.schema.json"), json.readTree(request), "the request the test sent");
        // the metadata record as the inventory route writes it (Jackson's defaults, as Camel's marshal)
        ServerMetadata metadata = new ServerMetadata(ServerMetadata.SCHEMA_VERSION, "s1", "vm1", "p1", "demo", "d1",
                "Default", "ACTIVE", "node1", "nova", new Flavor("f1", "bf.small", 1, 512, 1), null, null,
                List.of(), List.of("default"), List.of(), List.of(new ServerMetadata.Disk(0, "/dev/vda", "v1",
                "boot", 1, "ceph-ssd", true, image.volumeId())), List.of(), 1000);
        valid(schema("metadata.schema.json"), json.valueToTree(metadata), "server metadata");
        // chunk sums as the target's route writes them
        valid(schema("chunk-sums.schema.json"), json.valueToTree(io.blockferry.transport.ChunkSumsRecord.head(
                image.volumeId(), "site-a", 3, "snap-3", 1 << 20, 3L << 20, 1, "ab".repeat(32))), "chunk-sums head");
        valid(schema("chunk-sums.schema.json"), json.valueToTree(io.blockferry.transport.ChunkSumsRecord.segment(
                image.volumeId(), "site-a", 3, "snap-3", 1 << 20, 3L << 20, 0, new byte[96])), "chunk-sums segment");
    }

    @Test
    void should_list_exactly_blockferrys_causes_and_event_types() throws Exception {
        Set<String> causes = Arrays.stream(Causes.values()).map(Causes::wire).collect(Collectors.toCollection(TreeSet::new));
        Set<String> documented = new TreeSet<>();
        json.readTree(DOCS.resolve("schemas/cause.schema.json").toFile()).path("enum").forEach(n -> documented.add(n.asText()));
        assertEquals(causes, documented, "schemas/cause.schema.json lists the closed list of events/Causes");
        Set<String> types = new TreeSet<>();
        for (Field f : EventTypes.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                types.add((String) f.get(null));
            }
        }
        Set<String> documentedTypes = new TreeSet<>();
        json.readTree(DOCS.resolve("schemas/event.schema.json").toFile()).path("properties").path("type").path("enum")
                .forEach(n -> documentedTypes.add(n.asText()));
        assertEquals(types, documentedTypes);
        String readme = Files.readString(Path.of("README.md"));
        for (String cause : causes) {
            assertTrue(readme.contains("`" + cause + "`"), "the README's causes table names " + cause);
        }
        for (String type : types) {
            assertTrue(readme.contains("| `" + type + "` |"), "the README's events table has a row of " + type);
        }
    }

    @Test
    void should_describe_every_topic_in_asyncapi_with_files_that_exist() throws IOException {
        JsonNode asyncapi = new YAMLMapper().readTree(DOCS.resolve("asyncapi.yaml").toFile());
        assertEquals("2.6.0", asyncapi.path("asyncapi").asText());
        Properties config = new Properties();
        try (var in = Files.newBufferedReader(Path.of("config/application.properties"))) {
            config.load(in);
        }
        Set<String> topics = new TreeSet<>();
        for (String key : config.stringPropertyNames()) {
            if (key.startsWith("blockferry.kafka.") && key.endsWith("-topic")) {
                topics.add(config.getProperty(key));
            }
        }
        Set<String> channels = new TreeSet<>();
        asyncapi.path("channels").fieldNames().forEachRemaining(channels::add);
        assertEquals(topics, channels, "asyncapi.yaml has a channel for every topic of config/application.properties");
        List<String> refs = new ArrayList<>();
        collectRefs(asyncapi, refs);
        for (String ref : refs) {
            if (!ref.startsWith("#")) {
                assertTrue(Files.exists(DOCS.resolve(ref)), ref + " exists");
                schema(ref.substring("schemas/".length()));
            }
        }
        String readme = Files.readString(Path.of("README.md"));
        assertTrue(readme.contains("docs/contract/"), "the README links the contract");
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals("$ref")) {
                    refs.add(e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), refs);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectRefs(n, refs));
        }
    }

    private static final Pattern EXAMPLE = Pattern.compile("```hex\\n(.*?)```", Pattern.DOTALL);

    @Test
    void should_keep_a_worked_example_that_decodes_and_verifies() throws Exception {
        Path doc = DOCS.resolve("chunk-records.md");
        SpecDecoder spec = SpecDecoder.read(doc);
        if ("write".equals(System.getProperty("contract.examples"))) {
            Examples.write(doc, spec, chunks.stream().filter(s -> image.volumeId().equals(s.key()))
                    .map(TopicWatch.Seen::value).filter(v -> v.length > 4 && ByteBuffer.wrap(v).getInt() == 0x4246434B)
                    .filter(v -> spec.decode(v).number("generation") == 2).toList());
        }
        Matcher m = EXAMPLE.matcher(Files.readString(doc));
        Set<Long> typesShown = new TreeSet<>();
        while (m.find()) {
            byte[] frame = HexFormat.of().parseHex(m.group(1).replaceAll("\\s", ""));
            typesShown.add(checked(spec, frame).number("type"));
        }
        assertEquals(Set.of(1L, 2L, 3L, 4L), typesShown, "the worked example shows a frame of every type");
        assertNotNull(Base64.getDecoder().decode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="));
        assertTrue(Files.readString(doc).contains(Base64.getEncoder().encodeToString(EXAMPLE_KEY)),
                "the document names the example key");
    }
}
