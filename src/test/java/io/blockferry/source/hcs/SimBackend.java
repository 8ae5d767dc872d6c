package io.blockferry.source.hcs;

import io.blockferry.hcssim.HcsSim;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Blockferry's HCS backend configured from a running simulator's exports, as an operator would from a site's. */
final class SimBackend {

    /** Quick polls: the simulator's jobs take a fraction of a second. */
    static final Duration POLL = Duration.ofMillis(20);

    private SimBackend() {
    }

    static HcsSettings settings(HcsSim sim) {
        Map<String, String> e = sim.env;
        String ca = e.get("BLOCKFERRY_HCS_CA_FILE");
        return new HcsSettings("hcs", URI.create(e.get("BLOCKFERRY_HCS_IAM_URL")), URI.create(e.get("BLOCKFERRY_HCS_ECS_URL")),
                URI.create(e.get("BLOCKFERRY_HCS_EVS_URL")), URI.create(e.get("BLOCKFERRY_HCS_DORADO_URL")),
                e.get("BLOCKFERRY_HCS_DOMAIN"), e.get("BLOCKFERRY_HCS_USER"),
                Secret.fromFile(Path.of(e.get("BLOCKFERRY_HCS_PASSWORD_FILE")), "test"), sim.projectId,
                e.get("BLOCKFERRY_HCS_DORADO_USER"),
                Secret.fromFile(Path.of(e.get("BLOCKFERRY_HCS_DORADO_PASSWORD_FILE")), "test"), sim.proxyServerId,
                sim.deviceDir, ca.isEmpty() ? null : Path.of(ca), Duration.ofSeconds(30), Duration.ofSeconds(60), POLL,
                128, List.of("EVS.SIM128"), HcsSettings.MAX_SEGMENT_BYTES, HcsSettings.BitmapEncoding.BASE64, true,
                "CHUNKSIZE", true, HcsSettings.DeviceNaming.AUTO);
    }

    /** The same, as {@code blockferry.backends.hcs.*} keys of a runtime (passwords by file). */
    static Map<String, String> keys(HcsSim sim) {
        Map<String, String> e = sim.env;
        Map<String, String> k = new HashMap<>();
        String p = "blockferry.backends.hcs.";
        k.put(p + "type", "hcs");
        k.put(p + "iam-url", e.get("BLOCKFERRY_HCS_IAM_URL"));
        k.put(p + "ecs-url", e.get("BLOCKFERRY_HCS_ECS_URL"));
        k.put(p + "evs-url", e.get("BLOCKFERRY_HCS_EVS_URL"));
        k.put(p + "dorado-url", e.get("BLOCKFERRY_HCS_DORADO_URL"));
        k.put(p + "domain", e.get("BLOCKFERRY_HCS_DOMAIN"));
        k.put(p + "user", e.get("BLOCKFERRY_HCS_USER"));
        k.put(p + "password-file", e.get("BLOCKFERRY_HCS_PASSWORD_FILE"));
        k.put(p + "project-id", sim.projectId);
        k.put(p + "dorado-user", e.get("BLOCKFERRY_HCS_DORADO_USER"));
        k.put(p + "dorado-password-file", e.get("BLOCKFERRY_HCS_DORADO_PASSWORD_FILE"));
        k.put(p + "proxy-server-id", sim.proxyServerId);
        k.put(p + "device-dir", sim.deviceDir.toString());
        if (!e.get("BLOCKFERRY_HCS_CA_FILE").isEmpty()) {
            k.put(p + "ca-file", e.get("BLOCKFERRY_HCS_CA_FILE"));
        }
        k.put(p + "poll-interval", "20ms");
        return k;
    }
}
