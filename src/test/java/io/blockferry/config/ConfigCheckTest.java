package io.blockferry.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration is checked whole before anything starts: keys, values, the data directory. */
class ConfigCheckTest {

    private static final Path SHIPPED = Path.of("config/application.properties");

    private static Settings settings(String file, Map<String, String> environment) throws Exception {
        Properties properties = new Properties();
        properties.load(new StringReader(file));
        return Settings.of(properties, environment, Map.of());
    }

    private static ConfigCheck.Findings check(String file) throws Exception {
        return ConfigCheck.of(settings(file, Map.of()));
    }

    private static String onlyError(String file) throws Exception {
        List<String> errors = check(file).errors();
        assertEquals(1, errors.size(), "one error: " + errors);
        return errors.get(0);
    }

    @Test
    void should_list_every_declared_key_in_the_shipped_file_with_its_default_and_a_comment() throws Exception {
        List<String> lines = Files.readAllLines(SHIPPED);
        Map<String, String> shipped = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.startsWith("blockferry.")) {
                continue;
            }
            int j = i - 1;
            while (j >= 0 && lines.get(j).startsWith("blockferry.")) {
                j--; // keys of one group share the comment above the group
            }
            assertTrue(j >= 0 && lines.get(j).startsWith("#"), "no comment above " + line);
            Properties one = new Properties();
            one.load(new StringReader(line));
            String key = one.stringPropertyNames().iterator().next();
            shipped.put(key, one.getProperty(key));
        }
        Map<String, String> declared = BlockferryKeys.DEFINITION.shipped().stream()
                .collect(Collectors.toMap(ConfigKey::name, ConfigKey::defaultValue, (a, b) -> a, LinkedHashMap::new));
        Set<String> missing = new TreeSet<>(declared.keySet());
        missing.removeAll(shipped.keySet());
        Set<String> undeclared = new TreeSet<>(shipped.keySet());
        undeclared.removeAll(declared.keySet());
        assertEquals(Set.of(), missing, "declared keys the shipped file lacks");
        assertEquals(Set.of(), undeclared, "keys of the shipped file nobody declared");
        List<String> differing = new ArrayList<>();
        declared.forEach((key, value) -> {
            if (!value.equals(shipped.get(key))) {
                differing.add(key + ": declared '" + value + "', shipped '" + shipped.get(key) + "'");
            }
        });
        assertEquals(List.of(), differing);
        assertEquals(List.of(), ConfigCheck.of(Settings.load(SHIPPED, Map.of())).errors(), "the shipped file checks clean");
    }

    @Test
    void should_name_the_key_meant_by_a_misspelt_one() throws Exception {
        String error = onlyError("blockferry.source.chunk-sise=4M\n");
        assertTrue(error.startsWith("unknown configuration key 'blockferry.source.chunk-sise' (in application.properties): "
                + "did you mean 'blockferry.source.chunk-size'?"), error);
        assertTrue(onlyError("blockferry.backends.east.tpye=rbd\n").contains("did you mean 'blockferry.backends.*.type'?"));
        assertTrue(onlyError("blockferry.frobnicate-widgets=1\n").contains("no key of that name exists"));
        assertTrue(check("camel.whatever=1\n").errors().isEmpty(), "Camel checks its own keys");
    }

    @Test
    void should_check_every_value_against_its_type_and_rule() throws Exception {
        assertEquals("configuration key 'blockferry.source.chunk-size' (in application.properties) has the value 'big', "
                + "which is not " + Units.SIZE_EXAMPLE + ": fix it in application.properties or set "
                + "BLOCKFERRY_SOURCE_CHUNK_SIZE", onlyError("blockferry.source.chunk-size=big\n"));
        assertTrue(onlyError("blockferry.queue.max-wait=forever\n").contains("which is not " + Units.DURATION_EXAMPLE));
        assertTrue(onlyError("blockferry.kafka.compression=brotli\n").contains("which is not one of lz4, zstd"));
        assertTrue(onlyError("blockferry.source.read-threads=0\n").contains("which is not at least 1"));
        assertTrue(onlyError("blockferry.source.verify-sample-rate=2\n").contains("between 0.0 and 1.0"));
        assertTrue(onlyError("blockferry.openstack.pools=volumes\n").contains("key=value pairs"));
        assertTrue(onlyError("blockferry.backends.east.type=nfs\n").contains("'blockferry.backends.east.type'"));
        assertTrue(onlyError("blockferry.source.snapshot-limit={{blockferry.nowhere}}\n").contains("blockferry.nowhere"));
        assertEquals(2, check("blockferry.source.chunk-size=big\nblockferry.queue.max-disks=many\n").errors().size(),
                "every problem at once, not one per start");
        assertTrue(check("blockferry.source.chunk-size=4M\nblockferry.backends.east.type=rbd\n"
                + "blockferry.backends.east.timeout-seconds=30\nblockferry.openstack.auth-domain.Default.password=x\n")
                .errors().isEmpty());
    }

    @Test
    void should_never_show_a_secret_value() throws Exception {
        Properties none = new Properties();
        Settings s = Settings.of(none, Map.of(), Map.of("blockferry.api.token", "hunter2"));
        String message = s.invalidValue("blockferry.api.token", "hunter2", "a token");
        assertFalse(message.contains("hunter2"), message);
        assertTrue(message.contains("'blockferry.api.token' (set by the caller) has a value"), message);
    }

    @Test
    void should_name_the_environment_variable_a_bad_value_comes_from_and_warn_of_unknown_ones() throws Exception {
        ConfigCheck.Findings findings = ConfigCheck.of(settings("", Map.of("BLOCKFERRY_QUEUE_MAX_DISKS", "lots",
                "BLOCKFERRY_QUEUE_MAX_DISK", "3", "BLOCKFERRY_CONFIG", "x", "BLOCKFERRY_KAFKA_CLIENT_SASL_MECHANISM", "PLAIN")));
        assertEquals(List.of("configuration key 'blockferry.queue.max-disks' (from the environment variable "
                + "BLOCKFERRY_QUEUE_MAX_DISKS) has the value 'lots', which is not a whole number: fix the environment "
                + "variable BLOCKFERRY_QUEUE_MAX_DISKS"), findings.errors());
        assertEquals(1, findings.warnings().size(), findings.warnings().toString());
        assertTrue(findings.warnings().get(0).startsWith("the environment variable BLOCKFERRY_QUEUE_MAX_DISK names no "
                + "configuration key and is ignored; did you mean BLOCKFERRY_QUEUE_MAX_DISKS?"), findings.warnings().get(0));
    }

    @Test
    void should_check_kafka_client_keys_against_kafkas_own() throws Exception {
        assertTrue(check("blockferry.kafka.client.security.protocol=SASL_SSL\n"
                + "blockferry.kafka.client.ssl.truststore.location=/etc/ca.p12\n").errors().isEmpty());
        String error = onlyError("blockferry.kafka.client.sasl.mechanisms=PLAIN\n");
        assertTrue(error.contains("'sasl.mechanisms' is no Kafka client setting; did you mean "
                + "'blockferry.kafka.client.sasl.mechanism'?"), error);
    }

    @Test
    void should_read_pool_limits_as_pairs_and_the_old_colon_form_with_a_warning() {
        List<String> warnings = new ArrayList<>();
        assertEquals(Map.of("volumes", 8, "vms", 4), PoolLimitsSyntax.parse("volumes=8, vms=4", warnings::add));
        assertTrue(warnings.isEmpty());
        assertEquals(Map.of("volumes", 8), PoolLimitsSyntax.parse("volumes:8", warnings::add));
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("write it volumes=8"), warnings.get(0));
        assertFalse(PoolLimitsSyntax.valid("volumes=eight"));
    }

    @Test
    void should_refuse_a_data_directory_it_cannot_write(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "");
        String error = onlyError("blockferry.data-dir=" + file.resolve("data") + "\n");
        assertTrue(error.startsWith("configuration key 'blockferry.data-dir' (in application.properties) is '"
                + file.resolve("data") + "', which is not a directory Blockferry can write"), error);
    }

    @Test
    void should_take_a_key_missing_from_an_operators_file_from_its_declared_default() throws Exception {
        Settings minimal = settings("blockferry.roles=source\n", Map.of());
        assertEquals(1L << 20, minimal.bytes("blockferry.source.chunk-size"));
        assertEquals("blockferry.chunks", minimal.text("blockferry.kafka.chunk-topic"));
        assertTrue(ConfigCheck.of(minimal).errors().isEmpty());
    }
}
