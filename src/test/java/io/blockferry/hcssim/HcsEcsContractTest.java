package io.blockferry.hcssim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.hcssim.HcsSim.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ECS: servers, their disks, flavors, attach/detach jobs (hcs-dorado-api.md §1.3, §1.4, §4.1 #2-5, 13-15). */
class HcsEcsContractTest {

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

    private List<String> names(JsonNode servers) {
        List<String> out = new ArrayList<>();
        servers.forEach(s -> out.add(s.get("name").asText()));
        return out;
    }

    @Test
    void should_page_servers_by_page_number_from_1_with_the_total_count() {
        for (int i = 1; i <= 5; i++) {
            sim.server("vm-" + i, Map.of());
        }
        JsonNode p1 = sim.ecs("GET", "/v1/{p}/cloudservers/detail?offset=1&limit=2", null).json();
        assertEquals(6, p1.get("count").asInt(), "the proxy and five servers");
        assertEquals(List.of("blockferry-proxy", "vm-1"), names(p1.get("servers")));
        JsonNode p3 = sim.ecs("GET", "/v1/{p}/cloudservers/detail?offset=3&limit=2", null).json();
        assertEquals(List.of("vm-4", "vm-5"), names(p3.get("servers")));
        JsonNode p4 = sim.ecs("GET", "/v1/{p}/cloudservers/detail?offset=4&limit=2", null).json();
        assertEquals(0, p4.get("servers").size());
        assertEquals(6, p4.get("count").asInt());
        JsonNode p0 = sim.ecs("GET", "/v1/{p}/cloudservers/detail?offset=0&limit=2", null).json();
        assertEquals(names(p1.get("servers")), names(p0.get("servers")), "offset 0 is page 1");
        JsonNode def = sim.ecs("GET", "/v1/{p}/cloudservers/detail", null).json();
        assertEquals(6, def.get("servers").size(), "default limit 25");
    }

    @Test
    void should_answer_ecs_0005_naming_a_bad_paging_parameter() {
        Resp r = sim.ecs("GET", "/v1/{p}/cloudservers/detail?offset=x", null);
        assertEquals(400, r.status());
        assertEquals("Ecs.0005", r.json().at("/error/code").asText());
        assertTrue(r.json().at("/error/message").asText().contains("offset"), r.text());
        Resp big = sim.ecs("GET", "/v1/{p}/cloudservers/detail?limit=1001", null);
        assertEquals(400, big.status());
        assertTrue(big.json().at("/error/message").asText().contains("limit"), big.text());
    }

    @Test
    void should_filter_servers_by_name_status_and_tags() {
        sim.server("db-1", Map.of("tags", Map.of("app", "db")));
        sim.server("web-1", Map.of("status", "SHUTOFF", "tags", Map.of("app", "web")));
        assertEquals(List.of("db-1"), names(sim.ecs("GET", "/v1/{p}/cloudservers/detail?name=db", null).json().get("servers")));
        assertEquals(List.of("web-1"),
                names(sim.ecs("GET", "/v1/{p}/cloudservers/detail?status=SHUTOFF", null).json().get("servers")));
        JsonNode tagged = sim.ecs("GET", "/v1/{p}/cloudservers/detail?tags=app=db", null).json();
        assertEquals(List.of("db-1"), names(tagged.get("servers")));
        assertEquals(1, tagged.get("count").asInt());
    }

    @Test
    void should_show_a_server_with_the_captured_fields() {
        JsonNode created = sim.server("app-1", Map.of("data_volumes", List.of(Map.of("size_gb", 2)),
                "metadata", Map.of("os_type", "Linux")));
        String id = created.at("/server/id").asText();
        Resp r = sim.ecs("GET", "/v1/{p}/cloudservers/" + id, null);
        assertEquals(200, r.status());
        JsonNode s = r.json().get("server");
        assertEquals(id, s.get("id").asText());
        assertEquals("app-1", s.get("name").asText());
        assertEquals("ACTIVE", s.get("status").asText());
        assertEquals("s3.large.2", s.at("/flavor/id").asText());
        assertEquals("2", s.at("/flavor/vcpus").asText(), "vcpus is a string in the v1 form");
        assertEquals("az0.dc0", s.get("OS-EXT-AZ:availability_zone").asText());
        assertTrue(s.get("OS-EXT-SRV-ATTR:host").isTextual());
        assertTrue(s.get("OS-EXT-SRV-ATTR:instance_name").asText().startsWith("instance-"));
        assertEquals("active", s.get("OS-EXT-STS:vm_state").asText());
        assertEquals(1, s.get("OS-EXT-STS:power_state").asInt());
        assertEquals("Linux", s.at("/metadata/os_type").asText());
        JsonNode addr = s.get("addresses").elements().next().get(0);
        assertEquals("4", addr.get("version").asText());
        assertTrue(addr.get("OS-EXT-IPS-MAC:mac_addr").asText().matches("fa:16:3e(:[0-9a-f]{2}){3}"));
        assertEquals("fixed", addr.get("OS-EXT-IPS:type").asText());
        JsonNode vols = s.get("os-extended-volumes:volumes_attached");
        assertEquals(2, vols.size());
        assertEquals("/dev/vda", vols.get(0).get("device").asText());
        assertEquals("0", vols.get(0).get("bootIndex").asText());
        assertEquals("false", vols.get(0).get("delete_on_termination").asText());
        assertEquals(created.at("/volumes/1/id").asText(), vols.get(1).get("id").asText());
        assertEquals("/dev/vdb", vols.get(1).get("device").asText());
        assertEquals("1", vols.get(1).get("bootIndex").asText());
    }

    @Test
    void should_answer_ecs_0114_for_an_unknown_server() {
        Resp r = sim.ecs("GET", "/v1/{p}/cloudservers/7d5c2a63-0000-4000-8000-000000000000", null);
        assertEquals(404, r.status());
        assertEquals("Ecs.0114", r.json().at("/error/code").asText());
        assertTrue(r.json().at("/error/message").asText().startsWith("The ECS does not exist."));
    }

    @Test
    void should_list_block_devices_with_the_attachable_quantity() {
        Resp r = sim.ecs("GET", "/v1/{p}/cloudservers/" + sim.proxyServerId + "/block_device", null);
        assertEquals(200, r.status());
        JsonNode q = r.json().get("attachableQuantity");
        assertEquals(23, q.get("free_scsi").asInt());
        assertEquals(15, q.get("free_blk").asInt());
        assertEquals(23, q.get("free_disk").asInt(), "24 disks per server, the boot disk takes one");
        JsonNode a = r.json().at("/volumeAttachments/0");
        assertEquals("0000:02:01.0", a.get("pciAddress").asText());
        assertEquals("/dev/vda", a.get("device").asText());
        assertEquals(sim.proxyServerId, a.get("serverId").asText());
        assertEquals(a.get("volumeId").asText(), a.get("id").asText());
        assertTrue(a.get("size").isTextual(), "size is a string in the captured sample");
        assertEquals("10", a.get("size").asText());
        assertTrue(a.get("bootIndex").isInt());
        assertEquals(0, a.get("bootIndex").asInt());
        assertEquals("virtio", a.get("bus").asText());
        String vol = a.get("volumeId").asText();
        Resp one = sim.ecs("GET", "/v1/{p}/cloudservers/" + sim.proxyServerId + "/block_device/" + vol, null);
        assertEquals(200, one.status());
        assertEquals(vol, one.json().at("/volumeAttachment/volumeId").asText());
        Resp none = sim.ecs("GET", "/v1/{p}/cloudservers/" + sim.proxyServerId + "/block_device/nope", null);
        assertEquals(404, none.status());
        assertEquals("Ecs.0111", none.json().at("/error/code").asText());
        Resp nova = sim.ecs("GET", "/v2.1/{p}/servers/" + sim.proxyServerId + "/os-volume_attachments", null);
        assertEquals(vol, nova.json().at("/volumeAttachments/0/volumeId").asText());
    }

    @Test
    void should_list_flavors_in_the_v1_and_the_nova_form() {
        JsonNode v1 = sim.ecs("GET", "/v1/{p}/cloudservers/flavors?availability_zone=az0.dc0", null).json();
        JsonNode f = v1.at("/flavors/0");
        assertEquals("s3.large.2", f.get("id").asText());
        assertTrue(f.get("vcpus").isTextual());
        assertTrue(f.get("ram").isInt());
        assertEquals("0", f.get("disk").asText());
        assertEquals("normal", f.at("/os_extra_specs/ecs:performancetype").asText());
        assertFalse(f.get("OS-FLV-DISABLED:disabled").asBoolean());
        JsonNode nova = sim.ecs("GET", "/v2.1/{p}/flavors/detail", null).json();
        assertTrue(nova.at("/flavors/0/vcpus").isInt());
        assertEquals(v1.get("flavors").size(), nova.get("flavors").size());
    }

    @Test
    void should_attach_through_a_job_that_goes_init_running_success() {
        sim.settings(Map.of("job_init_seconds", 0.3, "job_run_seconds", 0.3));
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        Resp r = sim.ecs("POST", "/v1/{p}/cloudservers/" + sim.proxyServerId + "/attachvolume",
                Map.of("volumeAttachment", Map.of("volumeId", vol)));
        assertEquals(200, r.status(), r.text());
        String jobId = r.json().get("job_id").asText();
        assertTrue(jobId.matches("[0-9a-f]{32}"), jobId);
        String url = sim.ecsUrl + "/v1/" + sim.projectId + "/jobs/" + jobId;
        JsonNode first = sim.send("GET", url, Map.of("X-Auth-Token", sim.token()), null).json();
        assertEquals("INIT", first.get("status").asText());
        assertEquals("attachVolume", first.get("job_type").asText());
        assertEquals("", first.get("end_time").asText());
        assertTrue(first.get("error_code").isNull());
        assertTrue(first.get("begin_time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
        assertEquals("attaching", sim.evs("GET", "/v2/{p}/cloudvolumes/" + vol, null).json().at("/volume/status").asText());
        List<String> seen = new ArrayList<>();
        JsonNode done = HcsSim.await(() -> sim.send("GET", url, Map.of("X-Auth-Token", sim.token()), null).json(),
                j -> {
                    String st = j.get("status").asText();
                    if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(st)) {
                        seen.add(st);
                    }
                    return st.equals("SUCCESS");
                }, Duration.ofSeconds(5), "attach job");
        assertEquals(List.of("INIT", "RUNNING", "SUCCESS"), seen);
        assertEquals(sim.proxyServerId, done.at("/entities/server_id").asText());
        assertTrue(done.get("fail_reason").isNull());
        assertTrue(done.get("end_time").asText().endsWith("Z"));
        assertEquals("in-use", sim.evs("GET", "/v2/{p}/cloudvolumes/" + vol, null).json().at("/volume/status").asText());
        JsonNode att = sim.ecs("GET", "/v1/{p}/cloudservers/" + sim.proxyServerId + "/block_device/" + vol, null).json();
        assertEquals("/dev/vdb", att.at("/volumeAttachment/device").asText());
        assertEquals(1, att.at("/volumeAttachment/bootIndex").asInt());
        JsonNode q = sim.ecs("GET", "/v1/{p}/cloudservers/" + sim.proxyServerId + "/block_device", null).json();
        assertEquals(22, q.at("/attachableQuantity/free_disk").asInt());
    }

    @Test
    void should_detach_through_a_job() {
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        assertEquals("SUCCESS", sim.attach(sim.proxyServerId, vol).get("status").asText());
        Resp r = sim.ecs("DELETE", "/v1/{p}/cloudservers/" + sim.proxyServerId + "/detachvolume/" + vol + "?delete_flag=0", null);
        assertEquals(200, r.status(), r.text());
        assertEquals("detaching", sim.evs("GET", "/v2/{p}/cloudvolumes/" + vol, null).json().at("/volume/status").asText());
        JsonNode job = sim.awaitJob(sim.ecsUrl, r.json().get("job_id").asText());
        assertEquals("SUCCESS", job.get("status").asText());
        assertEquals("detachVolume", job.get("job_type").asText());
        JsonNode v = sim.evs("GET", "/v2/{p}/cloudvolumes/" + vol, null).json().get("volume");
        assertEquals("available", v.get("status").asText());
        assertEquals(0, v.get("attachments").size());
        Resp again = sim.ecs("DELETE", "/v1/{p}/cloudservers/" + sim.proxyServerId + "/detachvolume/" + vol, null);
        assertEquals(400, again.status());
        assertEquals("Ecs.0111", again.json().at("/error/code").asText());
    }

    @Test
    void should_reject_attach_requests_naming_the_problem() {
        String url = "/v1/{p}/cloudservers/" + sim.proxyServerId + "/attachvolume";
        Resp noBody = sim.ecs("POST", url, Map.of("volume", Map.of()));
        assertEquals(400, noBody.status());
        assertEquals("Ecs.0005", noBody.json().at("/error/code").asText());
        assertTrue(noBody.json().at("/error/message").asText().contains("volumeAttachment"));
        Resp unknown = sim.ecs("POST", url, Map.of("volumeAttachment", Map.of("volumeId", "nope")));
        assertEquals("Ecs.0103", unknown.json().at("/error/code").asText());
        JsonNode other = sim.server("vm-1", Map.of("data_volumes", List.of(Map.of("size_gb", 1))));
        String inUse = other.at("/volumes/1/id").asText();
        Resp busy = sim.ecs("POST", url, Map.of("volumeAttachment", Map.of("volumeId", inUse)));
        assertEquals(400, busy.status());
        assertEquals("Ecs.0017", busy.json().at("/error/code").asText());
        String boot = sim.control("GET", "/servers/" + sim.proxyServerId, null).at("/attachments/0/volume_id").asText();
        Resp twice = sim.ecs("POST", url, Map.of("volumeAttachment", Map.of("volumeId", boot)));
        assertEquals("Ecs.0057", twice.json().at("/error/code").asText());
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        Resp dev = sim.ecs("POST", url, Map.of("volumeAttachment", Map.of("volumeId", vol, "device", "/dev/vda")));
        assertEquals("Ecs.0005", dev.json().at("/error/code").asText());
        assertTrue(dev.json().at("/error/message").asText().contains("already in use"));
        Resp flag = sim.ecs("DELETE", "/v1/{p}/cloudservers/" + sim.proxyServerId + "/detachvolume/" + boot + "?delete_flag=2", null);
        assertEquals("Ecs.0005", flag.json().at("/error/code").asText());
    }

    @Test
    void should_answer_404_for_a_job_once_its_ttl_has_passed() {
        sim.settings(Map.of("job_ttl_seconds", 0.3));
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        JsonNode job = sim.attach(sim.proxyServerId, vol);
        String url = sim.ecsUrl + "/v1/" + sim.projectId + "/jobs/" + job.get("job_id").asText();
        Resp gone = HcsSim.await(() -> sim.send("GET", url, Map.of("X-Auth-Token", sim.token()), null),
                x -> x.status() == 404, Duration.ofSeconds(5), "job clean-up");
        assertEquals("Ecs.0005", gone.json().at("/error/code").asText());
    }

    @Test
    void should_show_an_evs_job_only_on_the_evs_endpoint() {
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        Resp del = sim.evs("DELETE", "/v2/{p}/cloudvolumes/" + vol, null);
        String jobId = del.json().get("job_id").asText();
        Resp onEcs = sim.ecs("GET", "/v1/{p}/jobs/" + jobId, null);
        assertEquals(404, onEcs.status());
        Resp onEvs = sim.evs("GET", "/v1/{p}/jobs/" + jobId, null);
        assertEquals(200, onEvs.status());
        assertEquals("deleteVolume", onEvs.json().get("job_type").asText());
        assertEquals(vol, onEvs.json().at("/entities/volume_id").asText());
    }
}
