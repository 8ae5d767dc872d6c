package io.blockferry.hcssim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.hcssim.HcsSim.Resp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** EVS: disks, types, snapshots, create-from-snapshot and delete jobs (hcs-dorado-api.md §1.5, §4.1 #6-12). */
class HcsEvsContractTest {

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

    private JsonNode vm(String name) {
        return sim.server(name, Map.of("data_volumes", List.of(Map.of("size_gb", 10))));
    }

    @Test
    void should_show_a_volume_with_driver_data_and_lun_wwn_as_captured() {
        JsonNode created = vm("ecs-4d45");
        String id = created.at("/volumes/1/id").asText();
        String lun = created.at("/volumes/1/lun_id").asText();
        Resp r = sim.evs("GET", "/v2/{p}/cloudvolumes/" + id, null);
        assertEquals(200, r.status());
        JsonNode v = r.json().get("volume");
        assertEquals(id, v.get("id").asText());
        assertTrue(id.matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), "HCS ids are UUIDs");
        assertEquals("in-use", v.get("status").asText());
        assertTrue(v.get("size").isInt());
        assertEquals(10, v.get("size").asInt());
        assertEquals("az0.dc0", v.get("availability_zone").asText());
        assertEquals("business_type_01", v.get("volume_type").asText());
        assertEquals("false", v.get("bootable").asText());
        assertTrue(v.get("shareable").isBoolean());
        assertFalse(v.get("multiattach").asBoolean());
        assertTrue(v.get("os-vol-host-attr:host").asText().contains("#"));
        assertTrue(lun.matches("[0-9]+"), "Dorado ids are decimal");
        assertEquals("{\"lun_id\": \"" + lun + "\", \"sn\": \"" + HcsSim.ARRAY_SN + "\"}",
                v.get("os-volume-replication:driver_data").asText(), "a JSON string inside JSON, spaced as captured");
        JsonNode meta = v.get("metadata");
        assertEquals(HcsSim.wwn(lun), meta.get("lun_wwn").asText());
        assertEquals(32, meta.get("lun_wwn").asText().length());
        assertEquals("OceanStorV5", meta.get("StorageType").asText());
        assertEquals("--", meta.get("take_over_lun_wwn").asText());
        assertEquals("False", meta.get("readonly").asText());
        assertEquals("rw", meta.get("attached_mode").asText());
        JsonNode a = v.at("/attachments/0");
        assertEquals(created.at("/server/id").asText(), a.get("server_id").asText());
        assertEquals(id, a.get("volume_id").asText());
        assertEquals(id, a.get("id").asText());
        assertEquals("/dev/vdb", a.get("device").asText());
        assertTrue(a.get("host_name").isNull());
        assertTrue(a.get("attached_at").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}"));
        assertTrue(v.get("created_at").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}"));
        assertTrue(v.get("snapshot_id").isNull());
        assertTrue(v.get("source_volid").isNull());
        assertFalse(v.get("encrypted").asBoolean());
        assertEquals("disabled", v.get("replication_status").asText());
        JsonNode boot = sim.evs("GET", "/v2/{p}/volumes/" + created.at("/volumes/0/id").asText(), null).json();
        assertEquals("true", boot.at("/volume/bootable").asText(), "the native path serves the same disk");
        assertEquals("true", boot.at("/volume/metadata/__sys_is_server_vol__").asText());
    }

    @Test
    void should_page_volumes_by_offset_and_limit() {
        for (int i = 0; i < 3; i++) {
            sim.volume(HcsSim.GIB, Map.of("name", "d" + i));
        }
        JsonNode all = sim.evs("GET", "/v2/{p}/cloudvolumes/detail", null).json();
        assertEquals(4, all.get("count").asInt(), "the proxy's boot disk and three");
        JsonNode page = sim.evs("GET", "/v2/{p}/cloudvolumes/detail?offset=1&limit=2", null).json();
        assertEquals(2, page.get("volumes").size());
        assertEquals("d0", page.at("/volumes/0/name").asText());
        assertEquals(4, page.get("count").asInt());
        JsonNode named = sim.evs("GET", "/v2/{p}/volumes/detail?name=d2", null).json();
        assertEquals(1, named.get("count").asInt());
        Resp bad = sim.evs("GET", "/v2/{p}/cloudvolumes/detail?limit=0", null);
        assertEquals(400, bad.status());
        assertEquals("EVS.1023", bad.json().at("/error/code").asText());
    }

    @Test
    void should_list_volume_types() {
        JsonNode t = sim.evs("GET", "/v2/{p}/types", null).json().get("volume_types");
        assertEquals("business_type_01", t.get(0).get("name").asText());
        assertTrue(t.get(0).get("id").asText().matches("[0-9a-f-]{36}"));
        assertTrue(t.get(0).get("is_public").asBoolean());
        assertTrue(t.get(0).get("qos_specs_id").isNull());
        assertTrue(t.get(0).get("extra_specs").has("volume_backend_name"));
    }

    @Test
    void should_create_a_snapshot_202_creating_then_available_with_provider_auth() {
        String vol = vm("vm-1").at("/volumes/1/id").asText();
        Resp r = sim.evs("POST", "/v2/{p}/cloudsnapshots",
                Map.of("snapshot", Map.of("volume_id", vol, "name", "bf-1", "description", "d", "force", true,
                        "metadata", Map.of())));
        assertEquals(202, r.status(), r.text());
        JsonNode s = r.json().get("snapshot");
        assertEquals("creating", s.get("status").asText());
        assertEquals("bf-1", s.get("name").asText());
        assertEquals("d", s.get("description").asText());
        assertEquals(vol, s.get("volume_id").asText());
        assertEquals(10, s.get("size").asInt());
        assertTrue(s.get("metadata").isObject());
        assertTrue(s.get("created_at").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}"));
        String id = s.get("id").asText();
        JsonNode avail = sim.awaitSnapshot(id, "available");
        JsonNode auth = HcsSim.parse(avail.get("provider_auth").asText());
        String lun = auth.get("lun_id").asText();
        assertEquals("{\"lun_id\": \"" + lun + "\", \"sn\": \"" + HcsSim.ARRAY_SN + "\"}",
                avail.get("provider_auth").asText());
        assertEquals(sim.projectId, avail.get("os-extended-snapshot-attributes:project_id").asText());
        assertTrue(avail.get("updated_at").isTextual());
        JsonNode list = sim.evs("GET", "/v2/{p}/cloudsnapshots/detail?volume_id=" + vol, null).json();
        assertEquals(1, list.get("count").asInt());
        assertEquals(avail.get("provider_auth").asText(), list.at("/snapshots/0/provider_auth").asText());
        JsonNode nativeForm = sim.evs("GET", "/v2/{p}/snapshots/" + id, null).json();
        assertEquals(id, nativeForm.at("/snapshot/id").asText());
        JsonNode vendor = sim.evs("GET", "/v2/{p}/os-vendor-snapshots/detail?volume_id=" + vol, null).json();
        assertEquals(1, vendor.get("count").asInt());
    }

    @Test
    void should_refuse_a_snapshot_of_an_attached_disk_without_force_and_of_a_missing_disk() {
        String vol = vm("vm-1").at("/volumes/1/id").asText();
        Resp r = sim.evs("POST", "/v2/{p}/cloudsnapshots", Map.of("snapshot", Map.of("volume_id", vol)));
        assertEquals(400, r.status());
        assertTrue(r.json().at("/error/message").asText().contains("force"), r.text());
        Resp missing = sim.evs("POST", "/v2/{p}/snapshots", Map.of("snapshot", Map.of("volume_id", "nope")));
        assertEquals(404, missing.status());
        assertEquals("EVS.5404", missing.json().at("/error/code").asText());
    }

    @Test
    void should_delete_a_snapshot_with_202_then_answer_evs_5404() {
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        String snap = sim.snapshot(vol);
        Resp del = sim.evs("DELETE", "/v2/{p}/cloudsnapshots/" + snap, null);
        assertEquals(202, del.status());
        Resp gone = HcsSim.await(() -> sim.evs("GET", "/v2/{p}/cloudsnapshots/" + snap, null),
                x -> x.status() == 404, Duration.ofSeconds(5), "snapshot deletion");
        assertEquals("EVS.5404", gone.json().at("/error/code").asText());
        assertEquals("Resource(Volume, Snapshot, Backup .etc) cound not be found. (snapshot " + snap + ")",
                gone.json().at("/error/message").asText());
    }

    @Test
    void should_create_a_disk_from_a_snapshot_with_new_ids_and_the_snapshot_bytes() {
        JsonNode src = sim.volume(64 * HcsSim.MIB, Map.of("volume_type", "business_type_02"));
        String vol = src.get("id").asText();
        sim.writeOp(vol, Bitmaps.raw(0, 3 << 20, 11));
        String snap = sim.snapshot(vol);
        sim.writeOp(vol, Bitmaps.raw(1 << 20, 4096, 12));
        Resp r = sim.evs("POST", "/v2.1/{p}/cloudvolumes", Map.of("volume", Map.of(
                "availability_zone", "az0.dc0", "snapshot_id", snap, "name", "bf-clone",
                "volume_type", "business_type_02")));
        assertEquals(202, r.status(), r.text());
        String jobId = r.json().get("job_id").asText();
        JsonNode job = sim.awaitJob(sim.evsUrl, jobId);
        assertEquals("SUCCESS", job.get("status").asText());
        assertEquals("createVolume", job.get("job_type").asText());
        String clone = job.at("/entities/volume_id").asText();
        assertNotEquals(vol, clone);
        JsonNode v = sim.evs("GET", "/v2/{p}/cloudvolumes/" + clone, null).json().get("volume");
        assertEquals("available", v.get("status").asText());
        assertEquals(snap, v.get("snapshot_id").asText());
        assertEquals("business_type_02", v.get("volume_type").asText());
        String lun = HcsSim.parse(v.get("os-volume-replication:driver_data").asText()).get("lun_id").asText();
        assertNotEquals(src.get("lun_id").asText(), lun);
        assertNotEquals(sim.snapshotLun(snap), lun);
        assertEquals(HcsSim.wwn(lun), v.at("/metadata/lun_wwn").asText());
        assertEquals(sim.sha("snapshots", snap), sim.sha("volumes", clone));
        assertNotEquals(sim.sha("volumes", vol), sim.sha("volumes", clone), "the source changed after the snapshot");
        JsonNode temp = sim.control("GET", "/temporary-disks", null).get("volumes");
        assertEquals(clone, temp.get(0).get("id").asText());
    }

    @Test
    void should_reject_create_requests_naming_the_problem() {
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        String snap = sim.snapshot(vol);
        assertEquals("EVS.1008", code(Map.of("size", 1)));
        assertEquals("EVS.1016", code(Map.of("volume", Map.of("availability_zone", "az0.dc0", "snapshot_id", snap,
                "imageRef", "img"))));
        assertEquals("EVS.2045", code(Map.of("volume", Map.of("availability_zone", "az0.dc0", "snapshot_id", "nope"))));
        assertEquals("EVS.1043", code(Map.of("volume", Map.of("availability_zone", "az0.dc0", "snapshot_id", snap,
                "metadata", Map.of("hw:passthrough", "true")))));
        assertEquals("EVS.1036", code(Map.of("volume", Map.of("snapshot_id", snap))));
        assertEquals("EVS.1010", code(Map.of("volume", Map.of("availability_zone", "az0.dc0", "size", 0))));
        Resp body = sim.evs("POST", "/v2.1/{p}/cloudvolumes", "[1]");
        assertEquals(400, body.status());
        assertEquals("EVS.1052", body.json().at("/error/code").asText());
    }

    private String code(Object body) {
        Resp r = sim.evs("POST", "/v2.1/{p}/volumes", body);
        assertEquals(400, r.status(), r.text());
        return r.json().at("/error/code").asText();
    }

    @Test
    void should_create_an_empty_disk_and_delete_it_through_jobs() {
        Resp r = sim.evs("POST", "/v2.1/{p}/cloudvolumes",
                Map.of("volume", Map.of("availability_zone", "az0.dc0", "size", 2, "name", "blank")));
        assertEquals(202, r.status(), r.text());
        String vol = sim.awaitJob(sim.evsUrl, r.json().get("job_id").asText()).at("/entities/volume_id").asText();
        JsonNode v = sim.evs("GET", "/v2/{p}/cloudvolumes/" + vol, null).json().get("volume");
        assertEquals(2, v.get("size").asInt());
        assertEquals("available", v.get("status").asText());
        String lun = HcsSim.parse(v.get("os-volume-replication:driver_data").asText()).get("lun_id").asText();
        Resp del = sim.evs("DELETE", "/v2/{p}/cloudvolumes/" + vol, null);
        assertEquals(200, del.status());
        assertEquals("deleting", sim.evs("GET", "/v2/{p}/cloudvolumes/" + vol, null).json().at("/volume/status").asText());
        assertEquals("SUCCESS", sim.awaitJob(sim.evsUrl, del.json().get("job_id").asText()).get("status").asText());
        assertEquals(404, sim.evs("GET", "/v2/{p}/cloudvolumes/" + vol, null).status());
        HcsSim.Session s = sim.dorado();
        assertEquals(1077936859L, sim.dorado(s, "GET", "lun/" + lun, null).json().at("/error/code").asLong());
    }

    @Test
    void should_refuse_to_delete_an_attached_disk_with_evs_1046() {
        String vol = vm("vm-1").at("/volumes/1/id").asText();
        Resp r = sim.evs("DELETE", "/v2/{p}/cloudvolumes/" + vol, null);
        assertEquals(400, r.status());
        assertEquals("EVS.1046", r.json().at("/error/code").asText());
        assertTrue(r.json().at("/error/message").asText().contains("is in-use"), r.text());
    }
}
