package io.blockferry.hcssim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.hcssim.HcsSim.Script;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** scripts/hcs-sim.sh: idempotent start, exports, restart with state kept, reset, clear failures. */
class SimulatorLifecycleTest {

    static HcsSim sim;

    @BeforeAll
    static void start() {
        sim = HcsSim.start();
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void should_start_idempotently_and_print_the_client_exports_without_passwords() {
        Script again = sim.script("start");
        assertEquals(0, again.exit(), again.output());
        assertTrue(again.output().contains("already running"), again.output());
        Script status = sim.script("status");
        assertEquals(0, status.exit(), status.output());
        assertTrue(status.output().startsWith("hcs-sim: UP"), status.output());
        Script env = sim.script("env");
        for (String key : List.of("BLOCKFERRY_HCS_IAM_URL", "BLOCKFERRY_HCS_ECS_URL", "BLOCKFERRY_HCS_EVS_URL",
                "BLOCKFERRY_HCS_DORADO_URL", "BLOCKFERRY_HCS_PROJECT_ID", "BLOCKFERRY_HCS_PROXY_SERVER_ID",
                "BLOCKFERRY_HCS_DEVICE_DIR", "BLOCKFERRY_HCS_CA_FILE", "BLOCKFERRY_HCS_USER",
                "BLOCKFERRY_HCS_PASSWORD_FILE", "BLOCKFERRY_HCS_DORADO_USER", "BLOCKFERRY_HCS_DORADO_PASSWORD_FILE")) {
            assertTrue(env.output().contains("export " + key + "="), key + " in:\n" + env.output());
        }
        assertTrue(sim.iamUrl.startsWith("https://127.0.0.1:"), sim.iamUrl);
        assertTrue(sim.doradoUrl.endsWith("/deviceManager/rest"), sim.doradoUrl);
        assertFalse(env.output().contains(sim.iamPassword), "passwords only through files");
        assertFalse(env.output().contains(sim.doradoPassword));
        String log = readLog();
        assertFalse(log.contains(sim.iamPassword) || log.contains(sim.doradoPassword), "nor in the log");
    }

    private String readLog() {
        try {
            return Files.readString(sim.dir.resolve("log/sim.log"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void should_keep_state_data_and_tokens_across_a_restart() {
        sim.reset();
        String vol = sim.volume(32 * HcsSim.MIB, Map.of()).get("id").asText();
        sim.writeOp(vol, Bitmaps.raw(0, 3 << 20, 8));
        String snap = sim.snapshot(vol);
        sim.writeOp(vol, Bitmaps.raw(1 << 20, 4096, 9));
        String shaVol = sim.sha("volumes", vol);
        String shaSnap = sim.sha("snapshots", snap);
        String token = sim.token();
        sim.control("POST", "/save", null);
        Script stop = sim.script("stop");
        assertEquals(0, stop.exit(), stop.output());
        assertEquals(2, sim.script("status").exit(), "DOWN");
        Script start = sim.script("start");
        assertEquals(0, start.exit(), start.output());
        assertEquals(shaVol, sim.sha("volumes", vol));
        assertEquals(shaSnap, sim.sha("snapshots", snap));
        assertEquals(token, sim.token());
        assertEquals(200, sim.evs("GET", "/v2/{p}/cloudsnapshots/" + snap, null).status(), "the token survived");
        HcsSim.Session s = sim.dorado();
        String lun = sim.control("GET", "/volumes/" + vol, null).get("lun_id").asText();
        assertEquals(new java.util.TreeSet<>(List.of(16L)),
                Bitmaps.page(sim, s, lun, sim.snapshotLun(snap), 32 * HcsSim.MIB, 65536), "the chunk maps survived");
    }

    @Test
    void should_reset_to_the_initial_installation_keeping_the_ids() {
        sim.server("vm", Map.of());
        String project = sim.projectId;
        Script r = sim.script("reset");
        assertEquals(0, r.exit(), r.output());
        JsonNode servers = sim.control("GET", "/servers", null).get("servers");
        assertEquals(1, servers.size());
        assertEquals(sim.proxyServerId, servers.get(0).get("id").asText());
        assertEquals(project, sim.control("GET", "/info", null).get("project_id").asText());
    }

    @Test
    void should_fail_clearly_when_a_port_is_taken() throws Exception {
        Map<String, String> env = new HashMap<>(sim.scriptEnv);
        env.put("BLOCKFERRY_HCS_SIM_DIR", sim.root.resolve("second").toString());
        Script r = HcsSim.script(sim.root, env, "start");
        assertNotEquals(0, r.exit());
        assertTrue(r.output().contains("is in use by another process"), r.output());
        assertEquals(0, HcsSim.script(sim.root, env, "purge").exit());
    }

    @Test
    void should_refuse_bad_settings_naming_them() {
        Map<String, String> env = new HashMap<>(sim.scriptEnv);
        env.put("BLOCKFERRY_HCS_SIM_SETTINGS", "{\"bitmap_encoding\": \"ROT13\"}");
        Script r = HcsSim.script(sim.root, env, "start");
        assertNotEquals(0, r.exit());
        assertTrue(r.output().contains("bitmap_encoding"), r.output());
        assertTrue(r.output().contains("BASE64, HEX, BITCHARS"), r.output());
        assertEquals(0, sim.script("status").exit(), "the running simulator is left alone");
        assertEquals(0, sim.script("start").exit(), "and the good settings still start");
    }

    @Test
    void should_serve_plain_http_when_tls_is_off() {
        try (HcsSim plain = HcsSim.start(Map.of(), Map.of("BLOCKFERRY_HCS_SIM_TLS", "0"))) {
            assertTrue(plain.iamUrl.startsWith("http://"), plain.iamUrl);
            assertEquals("", plain.env.get("BLOCKFERRY_HCS_CA_FILE"));
            assertEquals(201, plain.requestToken().status());
            assertEquals(0, plain.dorado(plain.dorado(), "GET", "lun/129", null).json().at("/error/code").asInt());
        }
    }
}
