package io.blockferry.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @Test
    void should_map_keys_to_environment_variables_like_camel() {
        assertEquals("BLOCKFERRY_KAFKA_BOOTSTRAP_SERVERS", Settings.environmentName("blockferry.kafka.bootstrap-servers"));
    }

    @Test
    void should_parse_sizes_and_resolve_placeholders(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("a.properties");
        Files.writeString(file, "a.dir=/data\nb.repo={{a.dir}}/repo\nc.size=4MiB\nd.size=1M\ne.size=65536\n");
        Settings s = Settings.load(file, Map.of());
        assertEquals("/data/repo", s.text("b.repo"));
        assertEquals(4L << 20, s.bytes("c.size"));
        assertEquals(1L << 20, s.bytes("d.size"));
        assertEquals(65536, s.bytes("e.size"));
        assertEquals("/other/repo", s.with("a.dir", "/other").text("b.repo"));
    }

    @Test
    void should_name_the_key_and_the_variable_of_a_bad_value(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("a.properties");
        Files.writeString(file, "blockferry.source.chunk-size=lots\n");
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> Settings.load(file, Map.of()).bytes("blockferry.source.chunk-size"));
        assertTrue(e.getMessage().contains("'blockferry.source.chunk-size' (in " + file + ") has the value 'lots'"),
                e.getMessage());
        assertTrue(e.getMessage().contains("BLOCKFERRY_SOURCE_CHUNK_SIZE"), e.getMessage());
    }

    @Test
    void should_read_a_backends_flag_with_its_fallback_and_refuse_a_word_that_is_not_one(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("a.properties");
        Files.writeString(file, "blockferry.backends.off.inventory=false\nblockferry.backends.typo.inventory=ture\n");
        Settings s = Settings.load(file, Map.of());
        assertTrue(s.flag("blockferry.backends.unset.inventory", true));
        assertEquals(false, s.flag("blockferry.backends.off.inventory", true));
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> s.flag("blockferry.backends.typo.inventory", true));
        assertTrue(e.getMessage().contains("true or false") && e.getMessage().contains("ture"), e.getMessage());
    }

    @Test
    void should_report_a_missing_configuration_file(@TempDir Path dir) {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> Settings.load(dir.resolve("none.properties"), Map.of()));
        assertTrue(e.getMessage().contains("BLOCKFERRY_CONFIG"), e.getMessage());
    }

    @Test
    void should_give_every_key_of_the_shipped_file_a_comment() throws Exception {
        String previous = "";
        for (String line : Files.readAllLines(Path.of("config/application.properties"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                assertTrue(previous.startsWith("#") || previous.contains("="), "no comment above: " + line);
            }
            if (!line.isBlank()) {
                previous = line;
            }
        }
    }

    @Test
    void should_pass_every_key_under_a_prefix_through_from_the_file_the_environment_and_overrides() {
        java.util.Properties file = new java.util.Properties();
        file.setProperty("blockferry.kafka.client.security.protocol", "SSL");
        file.setProperty("blockferry.kafka.client.ssl.truststore.location", "/etc/ca.p12");
        file.setProperty("blockferry.kafka.bootstrap-servers", "b:9092");
        Settings s = Settings.of(file, Map.of("BLOCKFERRY_KAFKA_CLIENT_SASL_JAAS_CONFIG", "x required;",
                "BLOCKFERRY_KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL", "OTHER", "y"),
                Map.of("blockferry.kafka.client.sasl.mechanism", "SCRAM-SHA-512"));

        assertEquals(Map.of("security.protocol", "SASL_SSL", "ssl.truststore.location", "/etc/ca.p12",
                "sasl.jaas.config", "x required;", "sasl.mechanism", "SCRAM-SHA-512"),
                s.prefixed("blockferry.kafka.client."));
    }
}
