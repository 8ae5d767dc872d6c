package io.blockferry.source.hcs;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.source.BlockSource;
import io.blockferry.source.SourceVolume;
import io.blockferry.source.VolumeId;
import java.util.List;

/**
 * A Huawei Cloud Stack 8.0.2 project on an OceanStor Dorado array as a source backend. Volume ids
 * are {@code <backend>:<project id>/<EVS disk id>}: the disk id, not its name, since HCS names need
 * not be unique and a disk made again under the same name is another disk. Data is read through a
 * temporary disk made from each snapshot and attached to the proxy; changed blocks come from the
 * array's bitmaps.
 */
public final class HcsBlockSource implements BlockSource {

    private final HcsSettings settings;
    private final HcsApi api;
    private final DoradoSession dorado;
    private final LunLink lunLink;
    private final javax.net.ssl.X509TrustManager trust;

    /** How long a disk's snapshot waits for those of its server's other disks, by default. */
    public static final java.time.Duration DEFAULT_CONSISTENCY_WINDOW = java.time.Duration.ofSeconds(30);

    private final ActivationGroups activations;

    public HcsBlockSource(HcsSettings settings) {
        this(settings, DEFAULT_CONSISTENCY_WINDOW);
    }

    /**
     * @param consistencyWindow how long a disk's unactivated snapshot waits for those of the
     *                          server's other disks before what has gathered is activated
     */
    public HcsBlockSource(HcsSettings settings, java.time.Duration consistencyWindow) {
        this.settings = settings;
        HcsHttp http = new HcsHttp(settings.caFile(), settings.requestTimeout(),
                "blockferry.backends." + settings.name() + ".ca-file");
        this.trust = http.trustManager();
        this.api = new HcsApi(new IamSession(http, settings), settings);
        this.dorado = new DoradoSession(http, settings);
        this.lunLink = new LunLink(dorado, settings);
        this.activations = new ActivationGroups(dorado, consistencyWindow);
    }

    @Override
    public String name() {
        return settings.name();
    }

    public HcsSettings settings() {
        return settings;
    }

    /** The project's disks, without Blockferry's own temporary ones. */
    @Override
    public List<VolumeId> volumes(String pool) {
        if (!pool.equals(settings.projectId())) {
            return List.of();
        }
        return api.volumes().stream().filter(v -> !Leftovers.temporary(v, settings))
                .map(v -> new VolumeId(settings.name(), pool, v.path("id").asText())).toList();
    }

    @Override
    public SourceVolume open(VolumeId id) {
        return new HcsVolume(api, dorado, settings, id, activations);
    }

    /** Logs in to IAM and to the array and reads the proxy's disks: the calls every sync needs. */
    @Override
    public void ping() {
        JsonNode devices = api.blockDevices(settings.proxyServerId());
        if (!devices.has("attachableQuantity")) {
            throw new HcsException("the proxy server " + settings.proxyServerId() + " answered no attachableQuantity: "
                    + "check blockferry.backends." + settings.name() + ".proxy-server-id",
                    io.blockferry.events.Causes.CONFIGURATION_INVALID);
        }
        dorado.deviceId();
    }

    @Override
    public List<String> removeLeftovers() {
        return new Leftovers(api, settings).remove();
    }

    /** The trust manager of the backend's CA file, or null when the JVM's CAs are trusted. */
    public javax.net.ssl.X509TrustManager trustManager() {
        return trust;
    }

    /**
     * The IAM token for calls made outside this class (the inventory poll's camel-http requests):
     * logs in when there is none. A secret: never log it.
     */
    public String authToken() {
        return api.iam().token();
    }

    /** The APIG refused this token (401): the next {@link #authToken} logs in again. */
    public void tokenRefused(String token) {
        api.iam().forget(token);
    }

    /**
     * Checks that an EVS disk (its detail JSON) is a LUN of the array this backend logs in to,
     * with the WWN EVS shows (spec §2.4).
     *
     * @throws HcsException naming the mismatch and the setting to check
     */
    public void checkLun(JsonNode volume) {
        lunLink.lunOfDisk(volume, "disk " + volume.path("id").asText());
    }

    /** Whether an EVS disk is one of Blockferry's own temporary disks (never inventoried or synced). */
    public boolean temporary(JsonNode volume) {
        return Leftovers.temporary(volume, settings);
    }

    /** How many IAM and Dorado logins this backend made (tests of the relogin). */
    public int[] logins() {
        return new int[] {api.iam().logins(), dorado.logins()};
    }

    @Override
    public void close() {
        // HttpClient holds no resources that outlive its last request
    }
}
