package io.blockferry.source.hcs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.blockferry.events.Causes;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * The ECS and EVS calls Blockferry makes (spec §1), each answer checked: 401/403 after a fresh
 * token is a permission problem, 429 and 5xx may pass, any other error names its code and message.
 */
final class HcsApi {

    private static final int PAGE = 100;

    private final IamSession iam;
    private final HcsSettings settings;

    HcsApi(IamSession iam, HcsSettings settings) {
        this.iam = iam;
        this.settings = settings;
    }

    IamSession iam() {
        return iam;
    }

    // ---------------------------------------------------------------- EVS: disks

    /** A disk's detail, or empty when EVS does not know it ({@code EVS.5404}). */
    Optional<JsonNode> findVolume(String volumeId) {
        HcsHttp.Reply r = iam.call("GET", evs("/v2/" + project() + "/cloudvolumes/" + volumeId), null);
        if (r.status() == 404) {
            return Optional.empty();
        }
        return Optional.of(check(r, "reading disk " + volumeId).path("volume"));
    }

    /** Every disk of the project, page by page ({@code offset} counts disks on EVS). */
    List<JsonNode> volumes() {
        List<JsonNode> all = new ArrayList<>();
        for (int offset = 0; ; offset += PAGE) {
            JsonNode page = check(iam.call("GET", evs("/v2/" + project() + "/cloudvolumes/detail?limit=" + PAGE
                    + "&offset=" + offset), null), "listing the disks of project " + project());
            page.path("volumes").forEach(all::add);
            if (page.path("volumes").size() < PAGE) {
                return all;
            }
        }
    }

    /** Creates a disk from a snapshot in the snapshot's AZ with the source's type; the job's id. */
    String createVolumeFromSnapshot(String snapshotId, JsonNode source, String name, Map<String, String> metadata) {
        ObjectNode body = HcsHttp.JSON.createObjectNode();
        ObjectNode volume = body.putObject("volume");
        volume.put("availability_zone", source.path("availability_zone").asText());
        volume.put("volume_type", source.path("volume_type").asText());
        volume.put("snapshot_id", snapshotId);
        volume.put("name", name);
        // no hw:passthrough here: EVS refuses it for a disk from a snapshot (EVS.1043) and copies the source's
        ObjectNode meta = volume.putObject("metadata");
        metadata.forEach(meta::put);
        return jobId(check(iam.call("POST", evs("/v2.1/" + project() + "/cloudvolumes"), body),
                "creating a temporary disk from snapshot " + snapshotId));
    }

    /** Deletes a disk; the job's id, or null when it is already gone. */
    String deleteVolume(String volumeId) {
        HcsHttp.Reply r = iam.call("DELETE", evs("/v2/" + project() + "/cloudvolumes/" + volumeId), null);
        if (r.status() == 404) {
            return null;
        }
        return jobId(check(r, "deleting disk " + volumeId));
    }

    // ---------------------------------------------------------------- EVS: snapshots

    /** The snapshots of a disk, oldest first. */
    List<JsonNode> snapshotsOf(String volumeId) {
        List<JsonNode> all = new ArrayList<>();
        for (int offset = 0; ; offset += PAGE) {
            JsonNode page = check(iam.call("GET", evs("/v2/" + project() + "/cloudsnapshots/detail?volume_id="
                    + volumeId + "&limit=" + PAGE + "&offset=" + offset), null), "listing the snapshots of " + volumeId);
            page.path("snapshots").forEach(all::add);
            if (page.path("snapshots").size() < PAGE) {
                all.sort(java.util.Comparator.comparing(s -> s.path("created_at").asText()));
                return all;
            }
        }
    }

    Optional<JsonNode> findSnapshot(String snapshotId) {
        HcsHttp.Reply r = iam.call("GET", evs("/v2/" + project() + "/cloudsnapshots/" + snapshotId), null);
        if (r.status() == 404) {
            return Optional.empty();
        }
        return Optional.of(check(r, "reading snapshot " + snapshotId).path("snapshot"));
    }

    /** Asks for a snapshot (it starts {@code creating}); the raw answer, for the caller to classify. */
    HcsHttp.Reply createSnapshot(String volumeId, String name, Map<String, String> metadata) {
        ObjectNode body = HcsHttp.JSON.createObjectNode();
        ObjectNode snapshot = body.putObject("snapshot");
        snapshot.put("volume_id", volumeId);
        snapshot.put("name", name);
        snapshot.put("description", "made by Blockferry");
        // the disk is in use by its server: Cinder's rule wants force for that
        snapshot.put("force", true);
        ObjectNode meta = snapshot.putObject("metadata");
        metadata.forEach(meta::put);
        return iam.call("POST", evs("/v2/" + project() + "/cloudsnapshots"), body);
    }

    void deleteSnapshot(String snapshotId, String what) {
        HcsHttp.Reply r = iam.call("DELETE", evs("/v2/" + project() + "/cloudsnapshots/" + snapshotId), null);
        if (r.status() != 404) {
            check(r, "deleting snapshot " + what);
        }
    }

    // ---------------------------------------------------------------- ECS: the proxy's disks

    /** {@code block_device}: the attach headroom and the attached disks of a server. */
    JsonNode blockDevices(String serverId) {
        return check(iam.call("GET", ecs("/v1/" + project() + "/cloudservers/" + serverId + "/block_device"), null),
                "reading the disks of server " + serverId);
    }

    /** Attaches a disk; the job's id. {@code Ecs.0042} (no free slot) is {@link AttachLimitException}. */
    String attach(String serverId, String volumeId) {
        ObjectNode body = HcsHttp.JSON.createObjectNode();
        body.putObject("volumeAttachment").put("volumeId", volumeId);
        HcsHttp.Reply r = iam.call("POST", ecs("/v1/" + project() + "/cloudservers/" + serverId + "/attachvolume"), body);
        if (!r.ok() && "Ecs.0042".equals(errorCode(r.body()))) {
            throw new AttachLimitException("the proxy " + serverId + " has no free disk slot for " + volumeId
                    + " (Ecs.0042: " + errorMessage(r.body()) + ")");
        }
        return jobId(check(r, "attaching disk " + volumeId + " to server " + serverId));
    }

    /** Detaches a disk; the job's id, or null when it is not attached ({@code Ecs.0111}). */
    String detach(String serverId, String volumeId) {
        HcsHttp.Reply r = iam.call("DELETE", ecs("/v1/" + project() + "/cloudservers/" + serverId + "/detachvolume/"
                + volumeId + "?delete_flag=0"), null);
        if (!r.ok() && ("Ecs.0111".equals(errorCode(r.body())) || r.status() == 404)) {
            return null;
        }
        return jobId(check(r, "detaching disk " + volumeId + " from server " + serverId));
    }

    // ---------------------------------------------------------------- jobs

    enum Service { ECS, EVS }

    /**
     * Polls {@code /v1/{project}/jobs/{id}} until SUCCESS (its {@code entities}) or FAIL, within the
     * job timeout. {@code Ecs.0042} in a failed attach job is {@link AttachLimitException}.
     */
    JsonNode awaitJob(Service service, String jobId, String what) {
        return awaitJob(service, jobId, what, settings.jobTimeout());
    }

    JsonNode awaitJob(Service service, String jobId, String what, Duration timeout) {
        URI uri = URI.create(base(service) + "/v1/" + project() + "/jobs/" + jobId);
        long deadline = System.nanoTime() + timeout.toNanos();
        String status = "unknown";
        while (true) {
            HcsHttp.Reply r = iam.call("GET", uri, null);
            if (r.status() == 404) {
                throw new HcsJobFailedException("the job " + jobId + " of " + what + " is unknown to HCS (404): it "
                        + "expired or never existed; what it did is checked at the next start", "404");
            }
            JsonNode job = check(r, "reading job " + jobId + " of " + what);
            status = job.path("status").asText();
            if (status.equals("SUCCESS")) {
                return job.path("entities");
            }
            if (status.equals("FAIL")) {
                String code = job.path("error_code").asText("");
                String reason = job.path("fail_reason").asText("");
                if (code.equals("Ecs.0042")) {
                    throw new AttachLimitException(what + ": the job ended FAIL with Ecs.0042 (" + reason + ")");
                }
                throw new HcsJobFailedException(what + " failed: job " + jobId + " ended FAIL with " + code
                        + (reason.isEmpty() ? "" : " (" + reason + ")"), code, job.path("entities"));
            }
            if (System.nanoTime() > deadline) {
                throw new HcsJobFailedException(what + ": job " + jobId + " is still " + status + " after "
                        + timeout.toSeconds() + " s (blockferry.backends." + settings.name() + ".job-timeout)", null,
                        job.path("entities"));
            }
            LockSupport.parkNanos(settings.pollInterval().toNanos());
        }
    }

    // ---------------------------------------------------------------- answers

    /** The JSON of a 2xx answer, or the failure it stands for. */
    JsonNode check(HcsHttp.Reply r, String what) {
        if (r.ok()) {
            return r.body();
        }
        String code = errorCode(r.body());
        String detail = what + ": HCS answered " + r.status() + (code.isEmpty() ? "" : " " + code)
                + (errorMessage(r.body()).isEmpty() ? "" : " (" + errorMessage(r.body()) + ")");
        if (r.status() == 429 || r.status() >= 500) {
            throw new HcsUnavailableException(detail + "; tried again later");
        }
        if (r.status() == 401 || r.status() == 403) {
            throw new HcsException(detail + ": the IAM user of blockferry.backends." + settings.name()
                    + ".user lacks a permission the README's HCS section lists", Causes.HCS_PERMISSION_DENIED, code);
        }
        if (r.status() == 404 && (code.startsWith("APIG") || code.isEmpty())) {
            throw new HcsException(detail + ": check blockferry.backends." + settings.name() + ".ecs-url and .evs-url",
                    Causes.CONFIGURATION_INVALID, code);
        }
        throw new HcsException(detail, Causes.HCS_ERROR, code);
    }

    /** The code of any of the three envelopes (ECS, EVS, APIG); empty without one. */
    static String errorCode(JsonNode body) {
        JsonNode error = body.path("error");
        if (error.has("code")) {
            return error.path("code").asText();
        }
        return body.path("error_code").asText("");
    }

    static String errorMessage(JsonNode body) {
        JsonNode error = body.path("error");
        if (error.has("message")) {
            return error.path("message").asText();
        }
        return body.path("error_msg").asText("");
    }

    private static String jobId(JsonNode body) {
        String id = body.path("job_id").asText("");
        if (id.isEmpty()) {
            throw new HcsException("HCS accepted the request but gave no job_id: " + body, Causes.HCS_ERROR);
        }
        return id;
    }

    private String project() {
        return settings.projectId();
    }

    private String base(Service service) {
        return (service == Service.ECS ? settings.ecsUrl() : settings.evsUrl()).toString();
    }

    private URI ecs(String path) {
        return URI.create(settings.ecsUrl() + path);
    }

    private URI evs(String path) {
        return URI.create(settings.evsUrl() + path);
    }
}
