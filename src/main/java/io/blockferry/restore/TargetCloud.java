package io.blockferry.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.blockferry.inventory.Flavor;
import io.blockferry.inventory.OpenStackApi;
import io.blockferry.inventory.OpenStackException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/** The Nova and Cinder calls of a restore, on the cloud the server is rebuilt in. */
public final class TargetCloud {

    /**
     * 2.52 is the first compute microversion that takes tags at create; "networks": "none" needs
     * 2.37. Cinder wants a volume entry in the same header.
     */
    static final String CREATE_VERSIONS = "compute 2.52, volume 3.0";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofSeconds(1);

    private final OpenStackApi api;
    private final Duration timeout;

    /** @param timeout how long a volume or server may take to become available or active */
    public TargetCloud(OpenStackApi api, Duration timeout) {
        this.api = api;
        this.timeout = timeout;
    }

    /** The id of the flavor of that name, made with the recorded size and extra specs when missing. */
    public String flavorId(Flavor flavor) {
        for (JsonNode f : api.get("compute", "/flavors/detail?is_public=None").path("flavors")) {
            if (f.path("name").asText().equals(flavor.name())) {
                return f.path("id").asText();
            }
        }
        ObjectNode body = JSON.createObjectNode();
        body.putObject("flavor").put("name", flavor.name()).put("vcpus", flavor.vcpus()).put("ram", flavor.ramMb())
                .put("disk", flavor.diskGb());
        String id = api.post("compute", "/flavors", body).path("flavor").path("id").asText();
        if (!flavor.extraSpecs().isEmpty()) {
            ObjectNode specs = JSON.createObjectNode();
            flavor.extraSpecs().forEach(specs.putObject("extra_specs")::put);
            api.post("compute", "/flavors/" + id + "/os-extra_specs", specs);
        }
        return id;
    }

    public boolean hasKeypair(String name) {
        return found(() -> api.get("compute", "/os-keypairs/" + name)).isPresent();
    }

    public void createKeypair(String name, String publicKey) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("keypair").put("name", name).put("public_key", publicKey);
        api.post("compute", "/os-keypairs", body);
    }

    /** Creates an empty volume and returns its id; null type takes the target's default type. */
    public String createVolume(String name, long sizeGb, String type) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode volume = body.putObject("volume").put("name", name).put("size", sizeGb);
        if (type != null) {
            volume.put("volume_type", type);
        }
        return api.post("volumev3", "/volumes", body).path("volume").path("id").asText();
    }

    /** Nova only boots (boot index 0) from a volume Cinder marks bootable. */
    public void setBootable(String volumeId) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("os-set_bootable").put("bootable", true);
        api.post("volumev3", "/volumes/" + volumeId + "/action", body);
    }

    public void awaitVolumeAvailable(String volumeId) {
        JsonNode v = await(() -> api.get("volumev3", "/volumes/" + volumeId).path("volume"),
                "volume " + volumeId + " to be available");
        if (!"available".equals(v.path("status").asText())) {
            throw new RestoreException("volume " + volumeId + " is " + v.path("status").asText() + ", not available: "
                    + "check that cinder-volume runs and the volume type's backend has room");
        }
    }

    /** Creates the server from a complete POST /servers body and returns its id. */
    public String createServer(JsonNode body) {
        return api.send("compute", "POST", "/servers", body, CREATE_VERSIONS).path("server").path("id").asText();
    }

    public void awaitServerActive(String serverId) {
        JsonNode s = await(() -> api.get("compute", "/servers/" + serverId).path("server"),
                "server " + serverId + " to be active");
        if (!"ACTIVE".equals(s.path("status").asText())) {
            throw new RestoreException("server " + serverId + " is " + s.path("status").asText() + ", not ACTIVE"
                    + (s.has("fault") ? ": " + s.path("fault").path("message").asText() : "")
                    + ": check nova-compute and the scheduler's log");
        }
    }

    /** Polls until the resource's status is no longer a transitional one (creating, BUILD, ...). */
    private JsonNode await(Supplier<JsonNode> read, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode resource = read.get();
            String status = resource.path("status").asText();
            if (!status.equalsIgnoreCase("creating") && !status.equalsIgnoreCase("BUILD")
                    && !status.equalsIgnoreCase("downloading")) {
                return resource;
            }
            if (System.nanoTime() > deadline) {
                throw new RestoreException("waited " + timeout.toSeconds() + " s for " + what + "; it is still "
                        + status + ": raise blockferry.restore.timeout or check the cloud's services");
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RestoreException("interrupted waiting for " + what);
            }
        }
    }

    private static Optional<JsonNode> found(Supplier<JsonNode> read) {
        try {
            return Optional.of(read.get());
        } catch (OpenStackException e) {
            if (e.httpStatus() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
