package io.blockferry.hcssim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.hcssim.HcsSim.Resp;
import io.blockferry.hcssim.HcsSim.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every failure mode of hcs-dorado-api.md §4.3, each brought about through the control plane. */
class FailureModesContractTest {

    static final long CHUNK = 65536;
    static HcsSim sim;

    @BeforeAll
    static void start() {
        sim = HcsSim.start();
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @BeforeEach
    void reset() {
        sim.reset();
    }

    private String attachJob(String server, String vol) {
        Resp r = sim.ecs("POST", "/v1/{p}/cloudservers/" + server + "/attachvolume",
                Map.of("volumeAttachment", Map.of("volumeId", vol)));
        assertEquals(200, r.status(), r.text());
        return r.json().get("job_id").asText();
    }

    // 1. token expiry
    @Test
    void should_answer_401_after_token_expiry_and_take_a_fresh_token() {
        assertEquals(200, sim.ecs("GET", "/v1/{p}/cloudservers/detail", null).status());
        assertEquals(1, sim.control("POST", "/iam/tokens/expire", null).get("expired").asInt());
        Resp r = sim.ecs("GET", "/v1/{p}/cloudservers/detail", null);
        assertEquals(401, r.status());
        assertEquals("APIGW.0307", r.json().get("error_code").asText());
        sim.forgetToken();
        assertEquals(200, sim.ecs("GET", "/v1/{p}/cloudservers/detail", null).status(), "a new token works");
        sim.control("POST", "/iam/tokens/age", Map.of("seconds", 86400));
        assertEquals(401, sim.evs("GET", "/v2/{p}/types", null).status(), "aged past its 24 h");
    }

    // 2. Dorado session loss
    @Test
    void should_answer_minus_401_after_session_loss_and_accept_a_new_login() {
        Session s = sim.dorado();
        assertEquals(0, sim.dorado(s, "GET", "lun/129", null).json().at("/error/code").asInt());
        assertEquals(1, sim.control("POST", "/dorado/sessions/drop", null).get("dropped").asInt());
        Resp lost = sim.dorado(s, "GET", "lun/129", null);
        assertEquals(200, lost.status());
        assertEquals(-401, lost.json().at("/error/code").asInt());
        Session again = sim.dorado();
        assertEquals(0, sim.dorado(again, "GET", "lun/129", null).json().at("/error/code").asInt());
        sim.control("POST", "/dorado/sessions/age", Map.of("seconds", 1201));
        Resp idle = sim.dorado(again, "GET", "lun/129", null);
        assertEquals(-401, idle.json().at("/error/code").asInt());
        assertTrue(idle.json().at("/error/description").asText().contains("idle"), idle.text());
        sim.settings(Map.of("dorado_session_idle_seconds", 0.3));
        Session quick = sim.dorado();
        // watch the idle time through the control plane: any call on the session would refresh it
        HcsSim.await(() -> sim.control("GET", "/dorado/sessions", null).at("/sessions/0/idle_seconds").asDouble(),
                idleFor -> idleFor > 0.35, Duration.ofSeconds(5), "0.3 s of idleness");
        assertEquals(-401, sim.dorado(quick, "GET", "lun/129", null).json().at("/error/code").asInt());
    }

    // 3. job FAIL with a code, job stuck RUNNING, job 404
    @Test
    void should_end_a_job_in_fail_with_the_injected_code() {
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        sim.control("POST", "/faults", Map.of("kind", "job_fail", "job_type", "attachVolume",
                "error_code", "Ecs.0042", "fail_reason", "The number of attached data disks exceeds the maximum allowed limit."));
        JsonNode job = sim.awaitJob(sim.ecsUrl, attachJob(sim.proxyServerId, vol));
        assertEquals("FAIL", job.get("status").asText());
        assertEquals("Ecs.0042", job.get("error_code").asText());
        assertEquals("The number of attached data disks exceeds the maximum allowed limit.", job.get("fail_reason").asText());
        assertEquals("available", sim.evs("GET", "/v2/{p}/cloudvolumes/" + vol, null).json().at("/volume/status").asText());
        String snap = sim.snapshot(vol);
        sim.control("POST", "/faults", Map.of("kind", "job_fail", "job_type", "createVolume", "error_code", "EVS.2054"));
        Resp r = sim.evs("POST", "/v2.1/{p}/cloudvolumes",
                Map.of("volume", Map.of("availability_zone", "az0.dc0", "snapshot_id", snap)));
        JsonNode create = sim.awaitJob(sim.evsUrl, r.json().get("job_id").asText());
        assertEquals("FAIL", create.get("status").asText());
        assertEquals("EVS.2054", create.get("error_code").asText());
        String failed = create.at("/entities/volume_id").asText();
        assertEquals("error", sim.evs("GET", "/v2/{p}/cloudvolumes/" + failed, null).json().at("/volume/status").asText());
        sim.control("POST", "/faults", Map.of("kind", "job_fail", "job_type", "deleteVolume", "error_code", "EVS.2002"));
        Resp del = sim.evs("DELETE", "/v2/{p}/cloudvolumes/" + failed, null);
        assertEquals("EVS.2002", sim.awaitJob(sim.evsUrl, del.json().get("job_id").asText()).get("error_code").asText());
    }

    @Test
    void should_keep_a_stuck_job_running_until_released() {
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        sim.control("POST", "/faults", Map.of("kind", "job_stuck", "job_type", "attachVolume"));
        String jobId = attachJob(sim.proxyServerId, vol);
        String url = sim.ecsUrl + "/v1/" + sim.projectId + "/jobs/" + jobId;
        HcsSim.await(() -> sim.send("GET", url, Map.of("X-Auth-Token", sim.token()), null).json(),
                j -> j.get("status").asText().equals("RUNNING"), Duration.ofSeconds(5), "RUNNING");
        // well past job_init + job_run (0.2 s): still RUNNING, still attaching
        HcsSim.during(Duration.ofMillis(600), () -> assertEquals("RUNNING",
                sim.send("GET", url, Map.of("X-Auth-Token", sim.token()), null).json().get("status").asText()));
        assertEquals("attaching", sim.evs("GET", "/v2/{p}/cloudvolumes/" + vol, null).json().at("/volume/status").asText());
        sim.control("POST", "/jobs/" + jobId + "/release", null);
        assertEquals("SUCCESS", sim.awaitJob(sim.ecsUrl, jobId).get("status").asText());
    }

    @Test
    void should_answer_404_for_a_vanished_job_whose_work_still_happens() {
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        sim.control("POST", "/faults", Map.of("kind", "job_vanish", "job_type", "attachVolume"));
        String jobId = attachJob(sim.proxyServerId, vol);
        Resp r = sim.ecs("GET", "/v1/{p}/jobs/" + jobId, null);
        assertEquals(404, r.status());
        JsonNode att = HcsSim.await(() -> sim.ecs("GET", "/v1/{p}/cloudservers/" + sim.proxyServerId
                + "/block_device/" + vol, null), x -> x.status() == 200, Duration.ofSeconds(5), "the attachment").json();
        assertEquals(vol, att.at("/volumeAttachment/volumeId").asText());
    }

    // 4. the 128-snapshot limit, both modes
    private List<Resp> snapshots(String vol, int n) {
        List<Resp> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(sim.evs("POST", "/v2/{p}/cloudsnapshots",
                    Map.of("snapshot", Map.of("volume_id", vol, "force", true, "name", "s" + i))));
        }
        return out;
    }

    @Test
    void should_refuse_the_129th_snapshot_with_400_in_sync_mode() {
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        for (Resp r : snapshots(vol, 128)) {
            assertEquals(202, r.status(), r.text());
        }
        Resp over = snapshots(vol, 1).get(0);
        assertEquals(400, over.status());
        assertEquals("EVS.SIM128", over.json().at("/error/code").asText());
        assertEquals(128, sim.evs("GET", "/v2/{p}/cloudsnapshots/detail?volume_id=" + vol, null).json().get("count").asInt());
    }

    @Test
    void should_accept_the_129th_snapshot_then_end_it_in_error_in_async_mode() {
        sim.settings(Map.of("snapshot_limit_mode", "async"));
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        snapshots(vol, 128);
        Resp over = snapshots(vol, 1).get(0);
        assertEquals(202, over.status());
        assertEquals("creating", over.json().at("/snapshot/status").asText());
        JsonNode s = sim.awaitSnapshot(over.json().at("/snapshot/id").asText(), "error");
        assertTrue(s.get("provider_auth").isNull(), "no array snapshot behind it");
        sim.control("POST", "/faults", Map.of("kind", "snapshot_error", "volume_id", vol));
        String other = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        assertEquals("available", sim.awaitSnapshot(snapshots(other, 1).get(0).json().at("/snapshot/id").asText(),
                "available").get("status").asText(), "the fault names another disk");
    }

    // 5. the attach limit
    @Test
    void should_count_free_disk_down_and_refuse_the_24th_disk_with_ecs_0042() {
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            jobs.add(attachJob(sim.proxyServerId, sim.volume(HcsSim.GIB, Map.of()).get("id").asText()));
        }
        for (String j : jobs) {
            assertEquals("SUCCESS", sim.awaitJob(sim.ecsUrl, j).get("status").asText());
        }
        JsonNode q = sim.ecs("GET", "/v1/{p}/cloudservers/" + sim.proxyServerId + "/block_device", null).json();
        assertEquals(0, q.at("/attachableQuantity/free_disk").asInt());
        assertEquals(24, q.get("volumeAttachments").size());
        String extra = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        Resp r = sim.ecs("POST", "/v1/{p}/cloudservers/" + sim.proxyServerId + "/attachvolume",
                Map.of("volumeAttachment", Map.of("volumeId", extra)));
        assertEquals(400, r.status());
        assertEquals("Ecs.0042", r.json().at("/error/code").asText());
        assertEquals("The number of attached data disks exceeds the maximum allowed limit.", r.json().at("/error/message").asText());
        sim.settings(Map.of("attach_limit_mode", "job"));
        JsonNode job = sim.awaitJob(sim.ecsUrl, attachJob(sim.proxyServerId, extra));
        assertEquals("FAIL", job.get("status").asText());
        assertEquals("Ecs.0042", job.get("error_code").asText());
        assertEquals(24, sim.control("GET", "/servers/" + sim.proxyServerId, null).get("attachments").size());
    }

    // 6. a bitmap against a deleted snapshot
    @Test
    void should_answer_1077937880_for_a_bitmap_against_a_deleted_snapshot() {
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        String a = sim.snapshot(vol);
        String b = sim.snapshot(vol);
        String c = sim.snapshot(vol);
        String la = sim.snapshotLun(a);
        String lb = sim.snapshotLun(b);
        String lc = sim.snapshotLun(c);
        sim.evs("DELETE", "/v2/{p}/cloudsnapshots/" + a, null);
        HcsSim.await(() -> sim.evs("GET", "/v2/{p}/cloudsnapshots/" + a, null), x -> x.status() == 404,
                Duration.ofSeconds(5), "deletion");
        Session s = sim.dorado();
        Resp r = sim.dorado(s, "GET", Bitmaps.query(lc, la, CHUNK, 0, 256L << 20), null);
        assertEquals(1077937880L, r.json().at("/error/code").asLong());
        assertTrue(r.json().at("/error/description").asText().startsWith("The snapshot does not exist."));
        sim.control("DELETE", "/luns/" + lb, null);  // gone on the array behind HCS's back
        assertEquals(1077937880L, sim.dorado(s, "GET", Bitmaps.query(lc, lb, CHUNK, 0, 256L << 20), null)
                .json().at("/error/code").asLong());
        assertEquals(0, sim.dorado(s, "GET", Bitmaps.query(lc, null, CHUNK, 0, 256L << 20), null)
                .json().at("/error/code").asInt(), "the client falls back to get_alloc");
    }

    // 7. the disk expanded between syncs
    @Test
    void should_reject_bitmaps_reaching_past_the_size_before_an_expansion() {
        JsonNode v = sim.volume(512 * HcsSim.MIB, Map.of());
        String vol = v.get("id").asText();
        String a = sim.snapshotLun(sim.snapshot(vol));
        sim.control("POST", "/volumes/" + vol + "/extend", Map.of("size_bytes", HcsSim.GIB));
        sim.writeOp(vol, Bitmaps.raw(3 * CHUNK, 1, 1));
        sim.writeOp(vol, Bitmaps.raw(600 * HcsSim.MIB, 4096, 2));
        String b = sim.snapshotLun(sim.snapshot(vol));
        Session s = sim.dorado();
        assertEquals(String.valueOf(HcsSim.GIB / 512), sim.doradoOk(s, "GET", "snapshot/" + b, null).get("USERCAPACITY").asText());
        assertEquals(new TreeSet<>(List.of(3L)), Bitmaps.page(sim, s, b, a, 512 * HcsSim.MIB, CHUNK), "inside the old size");
        Resp beyond = sim.dorado(s, "GET", Bitmaps.query(b, a, CHUNK, 512 * HcsSim.MIB, 256L << 20), null);
        assertEquals(50331651L, beyond.json().at("/error/code").asLong());
        assertTrue(beyond.json().at("/error/description").asText().contains("expanded"), beyond.text());
        sim.settings(Map.of("bitmap_expanded_rule", "REJECT"));
        assertEquals(50331651L, sim.dorado(s, "GET", Bitmaps.query(b, a, CHUNK, 0, 256L << 20), null)
                .json().at("/error/code").asLong());
        sim.settings(Map.of("bitmap_expanded_rule", "TAIL_CHANGED"));
        JsonNode tail = Bitmaps.segment(sim, s, b, a, CHUNK, 512 * HcsSim.MIB, 256L << 20);
        assertEquals("4096", tail.get("UNSHAREDCHUNKS").asText(), "the grown part counts as changed");
    }

    // 8. busy and throttling
    @Test
    void should_answer_dorado_busy_and_apig_429_when_injected() {
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        String a = sim.snapshotLun(sim.snapshot(vol));
        Session s = sim.dorado();
        sim.control("POST", "/faults", Map.of("kind", "dorado_error", "op", "get_unshared", "code", 1077949006L, "count", 2));
        String q = Bitmaps.query(a, a, CHUNK, 0, 256L << 20);
        assertEquals(1077949006L, sim.dorado(s, "GET", q, null).json().at("/error/code").asLong());
        assertEquals(1077949006L, sim.dorado(s, "GET", q, null).json().at("/error/code").asLong());
        assertEquals(0, sim.dorado(s, "GET", q, null).json().at("/error/code").asInt(), "the retry after backoff");
        sim.control("POST", "/faults", Map.of("kind", "http_error", "op", "evs.snapshot.create", "status", 429));
        Resp r = sim.evs("POST", "/v2/{p}/cloudsnapshots", Map.of("snapshot", Map.of("volume_id", vol, "force", true)));
        assertEquals(429, r.status());
        assertEquals("APIGW.0308", r.json().get("error_code").asText());
        assertTrue(r.json().get("error_msg").asText().startsWith("The throttling threshold has been reached"));
        assertEquals(202, sim.evs("POST", "/v2/{p}/cloudsnapshots",
                Map.of("snapshot", Map.of("volume_id", vol, "force", true))).status());
        assertEquals(0, sim.control("GET", "/faults", null).get("faults").size());
    }

    // 9. snapshot delete in a wrong state, or of a snapshot that is not there
    @Test
    void should_refuse_to_delete_a_creating_snapshot_with_evs_1047_and_a_missing_one_with_evs_5404() {
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        String snap = sim.snapshot(vol);
        sim.control("POST", "/snapshots/" + snap + "/status", Map.of("status", "creating"));
        Resp r = sim.evs("DELETE", "/v2/{p}/cloudsnapshots/" + snap, null);
        assertEquals(400, r.status());
        assertEquals("EVS.1047", r.json().at("/error/code").asText());
        assertTrue(r.json().at("/error/message").asText()
                .startsWith("snapshot status must be available or error when delete snapshot!"));
        Resp missing = sim.evs("DELETE", "/v2/{p}/cloudsnapshots/7e0e4e5a-0000-4000-8000-000000000000", null);
        assertEquals(404, missing.status());
        assertEquals("EVS.5404", missing.json().at("/error/code").asText());
        sim.control("POST", "/snapshots/" + snap + "/status", Map.of("status", "available", "hold", false));
        assertEquals(202, sim.evs("DELETE", "/v2/{p}/cloudsnapshots/" + snap, null).status());
    }

    // 10. wrong AZ or type for a disk from a snapshot
    @Test
    void should_refuse_a_disk_from_a_snapshot_in_another_az_or_of_another_type() {
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        sim.server("far", Map.of("availability_zone", "az1.dc1"));
        String snap = sim.snapshot(vol);
        Resp az = sim.evs("POST", "/v2.1/{p}/cloudvolumes",
                Map.of("volume", Map.of("availability_zone", "az1.dc1", "snapshot_id", snap)));
        assertEquals(400, az.status());
        assertEquals("EVS.2054", az.json().at("/error/code").asText());
        assertTrue(az.json().at("/error/message").asText().startsWith("Cannot create volume from snapshot as the az is invalid!"));
        Resp type = sim.evs("POST", "/v2.1/{p}/cloudvolumes", Map.of("volume", Map.of(
                "availability_zone", "az0.dc0", "snapshot_id", snap, "volume_type", "business_type_02")));
        assertEquals(400, type.status());
        assertEquals("EVS.2096", type.json().at("/error/code").asText());
        assertEquals("Target volumeType[business_type_02] is not matched with snapshot[business_type_01] !",
                type.json().at("/error/message").asText());
    }
}
