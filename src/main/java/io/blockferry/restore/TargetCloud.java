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

    /**
     * The Cinder {@code host@backend#pool} that volumes of {@code type} (null: the default type) are
     * on, for {@link #manageVolume}: the type's volume_backend_name among the scheduler's pools
     * (GET /scheduler-stats/get_pools, which needs the admin role).
     */
    public String backendHost(String type) {
        JsonNode found = type == null ? api.get("volumev3", "/types/default").path("volume_type") : null;
        if (found == null) {
            for (JsonNode t : api.get("volumev3", "/types").path("volume_types")) {
                if (t.path("name").asText().equals(type) || t.path("id").asText().equals(type)) {
                    found = t;
                }
            }
        }
        if (found == null || found.isMissingNode()) {
            throw new RestoreException("the restore cloud has no volume type " + type + ": map it in "
                    + "blockferry.restore.volume-types");
        }
        String backend = found.path("extra_specs").path("volume_backend_name").asText();
        for (JsonNode pool : api.get("volumev3", "/scheduler-stats/get_pools?detail=true").path("pools")) {
            if (pool.path("capabilities").path("volume_backend_name").asText().equals(backend)) {
                return pool.path("name").asText();
            }
        }
        throw new RestoreException("no Cinder backend reports volume_backend_name '" + backend + "' of volume type "
                + found.path("name").asText() + ": check cinder-volume (openstack volume service list)");
    }

    /**
     * Adopts an existing RBD image of the backend's pool as a new volume (Cinder's manage existing;
     * the RBD driver renames the image volume-ID) and returns its id.
     */
    public String manageVolume(String host, String image, String name, String type, boolean bootable,
                               java.util.Map<String, String> metadata) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode volume = body.putObject("volume").put("host", host).put("name", name).put("bootable", bootable);
        volume.putObject("ref").put("source-name", image);
        if (type != null) {
            volume.put("volume_type", type);
        }
        metadata.forEach(volume.putObject("metadata")::put);
        return api.send("volumev3", "POST", "/manageable_volumes", body, "volume 3.8").path("volume").path("id")
                .asText();
    }

    /** Ids of the servers of the project carrying {@code tag}. */
    public java.util.List<String> serversTagged(String tag) {
        java.util.List<String> ids = new java.util.ArrayList<>();
        api.get("compute", "/servers?tags=" + tag).path("servers").forEach(s -> ids.add(s.path("id").asText()));
        return ids;
    }

    /** Ids of the volumes of the project whose metadata has {@code key}. */
    public java.util.List<String> volumesWithMetadata(String key) {
        java.util.List<String> ids = new java.util.ArrayList<>();
        for (JsonNode v : api.get("volumev3", "/volumes/detail").path("volumes")) {
            if (v.path("metadata").has(key)) {
                ids.add(v.path("id").asText());
            }
        }
        return ids;
    }

    /** Deletes the server and waits until Nova no longer has it. */
    public void deleteServer(String serverId) {
        api.delete("compute", "/servers/" + serverId);
        awaitGone(() -> api.get("compute", "/servers/" + serverId), "server " + serverId + " to be deleted");
    }

    /** Deletes the volume (Cinder removes its RBD image) and waits until it is gone. */
    public void deleteVolume(String volumeId) {
        api.delete("volumev3", "/volumes/" + volumeId);
        awaitGone(() -> api.get("volumev3", "/volumes/" + volumeId), "volume " + volumeId + " to be deleted");
    }

    private void awaitGone(Supplier<JsonNode> read, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (found(read).isPresent()) {
            if (System.nanoTime() > deadline) {
                throw new RestoreException("waited " + timeout.toSeconds() + " s for " + what + ": check the cloud's "
                        + "services");
            }
            sleep(what);
        }
    }

    private static void sleep(String what) {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreException("interrupted waiting for " + what);
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
                    && !status.equalsIgnoreCase("downloading") && !status.equalsIgnoreCase("managing")) {
                return resource;
            }
            if (System.nanoTime() > deadline) {
                throw new RestoreException("waited " + timeout.toSeconds() + " s for " + what + "; it is still "
                        + status + ": raise blockferry.restore.timeout or check the cloud's services");
            }
            sleep(what);
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
