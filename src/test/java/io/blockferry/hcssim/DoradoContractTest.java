package io.blockferry.hcssim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.hcssim.HcsSim.Resp;
import io.blockferry.hcssim.HcsSim.Session;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Dorado deviceManager: sessions, envelope, LUNs, snapshots, activation (hcs-dorado-api.md §2.1-2.5, §4.1 D1-D5). */
class DoradoContractTest {

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

    /** The Cinder driver's LUN name: first part of the id, a dash, md5 hex, 31 characters in all. */
    static String encodeName(String id) throws Exception {
        String prefix = id.split("-")[0] + "-";
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(id.getBytes(StandardCharsets.UTF_8)));
        return prefix + md5.substring(0, 31 - prefix.length());
    }

    @Test
    void should_log_in_with_a_placeholder_device_id_and_set_the_session_cookie() {
        Resp r = sim.doradoLogin("blockferry", sim.doradoPassword);
        assertEquals(200, r.status());
        JsonNode j = r.json();
        assertEquals(0, j.at("/error/code").asInt());
        assertEquals("0", j.at("/error/description").asText());
        assertEquals(HcsSim.ARRAY_SN, j.at("/data/deviceid").asText());
        assertTrue(j.at("/data/iBaseToken").asText().matches("[0-9a-f]{64}"));
        assertEquals("blockferry", j.at("/data/username").asText());
        assertEquals(2, j.at("/data/accountstate").asInt());
        String cookie = r.header("Set-Cookie");
        assertTrue(cookie.matches("session=ismsession=[0-9a-f]{48}; path=/; HttpOnly; secure"), cookie);
    }

    @Test
    void should_answer_the_login_error_code_for_a_wrong_password_with_http_200() {
        Resp r = sim.doradoLogin("blockferry", "wrong");
        assertEquals(200, r.status());
        assertEquals(1077949061L, r.json().at("/error/code").asLong());
        assertEquals("The user name or password is incorrect.", r.json().at("/error/description").asText());
        assertEquals(null, r.header("Set-Cookie"));
    }

    @Test
    void should_require_the_ibasetoken_and_the_session_cookie() {
        Session s = sim.dorado();
        assertEquals(0, sim.dorado(s, "GET", "lun/129", null).json().at("/error/code").asInt());
        Resp noCookie = sim.send("GET", sim.doradoUrl + "/" + HcsSim.ARRAY_SN + "/lun/129", Map.of("iBaseToken", s.token()), null);
        assertEquals(200, noCookie.status());
        assertEquals(-401, noCookie.json().at("/error/code").asInt());
        assertTrue(noCookie.json().at("/error/description").asText().contains("cookie"));
        assertEquals("{}", noCookie.json().get("data").toString());
        Resp wrongCookie = sim.dorado(new Session(s.token(), "session=ismsession=00"), "GET", "lun/129", null);
        assertEquals(-401, wrongCookie.json().at("/error/code").asInt());
        Resp noToken = sim.send("GET", sim.doradoUrl + "/" + HcsSim.ARRAY_SN + "/lun/129", Map.of("Cookie", s.cookie()), null);
        assertEquals(-401, noToken.json().at("/error/code").asInt());
        Resp otherDevice = sim.send("GET", sim.doradoUrl + "/xx/lun/129", s.headers(), null);
        assertEquals(-401, otherDevice.json().at("/error/code").asInt(), "later calls use the deviceid");
    }

    @Test
    void should_log_out() {
        Session s = sim.dorado();
        JsonNode out = sim.doradoOk(s, "DELETE", "sessions", null);
        assertEquals("{}", out.toString());
        assertEquals(-401, sim.dorado(s, "GET", "lun/129", null).json().at("/error/code").asInt());
    }

    @Test
    void should_show_a_lun_with_capacity_in_sectors_the_wwn_rule_and_the_chunk_size() throws Exception {
        JsonNode vol = sim.volume(10 * HcsSim.GIB, Map.of());
        String lun = vol.get("lun_id").asText();
        JsonNode evs = sim.evs("GET", "/v2/{p}/cloudvolumes/" + vol.get("id").asText(), null).json().get("volume");
        assertEquals(lun, HcsSim.parse(evs.get("os-volume-replication:driver_data").asText()).get("lun_id").asText());
        Session s = sim.dorado();
        JsonNode d = sim.doradoOk(s, "GET", "lun/" + lun, null);
        assertEquals(lun, d.get("ID").asText());
        assertEquals(String.valueOf(10 * HcsSim.GIB / 512), d.get("CAPACITY").asText(), "CAPACITY x 512 = bytes");
        assertEquals("20971520", d.get("CAPACITY").asText());
        assertEquals(evs.at("/metadata/lun_wwn").asText(), d.get("WWN").asText());
        assertEquals(HcsSim.WWN_PREFIX + String.format("%08x", Integer.parseInt(lun)), d.get("WWN").asText());
        assertEquals("65536", d.get("CHUNKSIZE").asText());
        assertEquals(encodeName(vol.get("id").asText()), d.get("NAME").asText());
        assertEquals(31, d.get("NAME").asText().length());
        assertEquals("1", d.get("HEALTHSTATUS").asText());
        assertEquals("27", d.get("RUNNINGSTATUS").asText());
        assertEquals("1", d.get("ALLOCTYPE").asText());
        assertEquals("0", d.get("ALLOCCAPACITY").asText());
        sim.writeOp(vol.get("id").asText(), Bitmaps.raw(0, 100_000, 3));
        assertEquals(String.valueOf(2 * 65536 / 512), sim.doradoOk(s, "GET", "lun/" + lun, null).get("ALLOCCAPACITY").asText());
    }

    @Test
    void should_give_lun_129_the_wwn_of_the_captured_sample() {
        JsonNode proxyBoot = sim.control("GET", "/volumes/" + sim.control("GET", "/info", null)
                .get("proxy_boot_volume_id").asText(), null);
        assertEquals("129", proxyBoot.get("lun_id").asText());
        assertEquals("658f987100b749bcc5d447af00000081",
                sim.doradoOk(sim.dorado(), "GET", "lun/129", null).get("WWN").asText(), "id 129 = 0x81");
    }

    @Test
    void should_find_luns_by_name_and_wwn_filters_and_page_with_range() throws Exception {
        for (int i = 0; i < 3; i++) {
            sim.volume(HcsSim.GIB, Map.of());
        }
        JsonNode v = sim.volume(HcsSim.GIB, Map.of());
        Session s = sim.dorado();
        JsonNode byName = sim.doradoOk(s, "GET", "lun?filter=NAME::" + encodeName(v.get("id").asText()), null);
        assertTrue(byName.isArray());
        assertEquals(1, byName.size());
        assertEquals(v.get("lun_id").asText(), byName.get(0).get("ID").asText());
        JsonNode byWwn = sim.doradoOk(s, "GET", "lun?filter=WWN::" + v.get("lun_wwn").asText(), null);
        assertEquals(v.get("lun_id").asText(), byWwn.get(0).get("ID").asText());
        assertEquals(0, sim.doradoOk(s, "GET", "lun?filter=NAME::nothing", null).size());
        JsonNode first = sim.doradoOk(s, "GET", "lun?range=%5B0-2%5D", null);
        assertEquals(List.of("129", "130"), List.of(first.get(0).get("ID").asText(), first.get(1).get("ID").asText()));
        JsonNode rest = sim.doradoOk(s, "GET", "lun?range=%5B2-100%5D", null);
        assertEquals(3, rest.size(), "range ends are exclusive: five LUNs in all");
        assertEquals("5", sim.doradoOk(s, "GET", "lun/count", null).get("COUNT").asText());
        Resp bad = sim.dorado(s, "GET", "lun?filter=SIZE::1", null);
        assertEquals(50331651L, bad.json().at("/error/code").asLong());
        Resp badRange = sim.dorado(s, "GET", "lun?range=0-100", null);
        assertEquals(50331651L, badRange.json().at("/error/code").asLong());
    }

    @Test
    void should_show_a_snapshot_activated_by_hcs_with_runningstatus_43() throws Exception {
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        String snap = sim.snapshot(vol);
        String obj = sim.snapshotLun(snap);
        Session s = sim.dorado();
        JsonNode d = sim.doradoOk(s, "GET", "snapshot/" + obj, null);
        assertEquals(obj, d.get("ID").asText());
        assertEquals("43", d.get("RUNNINGSTATUS").asText());
        assertEquals("1", d.get("HEALTHSTATUS").asText());
        assertEquals(encodeName(snap), d.get("NAME").asText());
        assertEquals(snap, d.get("DESCRIPTION").asText());
        assertEquals(sim.control("GET", "/volumes/" + vol, null).get("lun_id").asText(), d.get("PARENTID").asText());
        assertEquals(HcsSim.wwn(obj), d.get("WWN").asText());
        assertEquals("65536", d.get("CHUNKSIZE").asText());
        assertEquals(String.valueOf(HcsSim.GIB / 512), d.get("USERCAPACITY").asText());
        JsonNode byName = sim.doradoOk(s, "GET", "snapshot?filter=NAME::" + encodeName(snap), null);
        assertEquals(obj, byName.get(0).get("ID").asText());
        assertEquals(1077937880L, sim.dorado(s, "GET", "snapshot/99999", null).json().at("/error/code").asLong());
        assertEquals(1077936859L, sim.dorado(s, "GET", "lun/99999", null).json().at("/error/code").asLong());
    }

    @Test
    void should_leave_snapshots_unactivated_and_activate_one_with_snapshotlist() {
        sim.settings(Map.of("auto_activate", false));
        String vol = sim.volume(64 * HcsSim.MIB, Map.of()).get("id").asText();
        sim.writeOp(vol, Bitmaps.raw(0, 65536, 1));
        String snap = sim.snapshot(vol);
        String obj = sim.snapshotLun(snap);
        Session s = sim.dorado();
        assertEquals("45", sim.doradoOk(s, "GET", "snapshot/" + obj, null).get("RUNNINGSTATUS").asText());
        Resp bitmap = sim.dorado(s, "GET", Bitmaps.query(obj, null, 65536, 0, 64L << 20), null);
        assertEquals(50331651L, bitmap.json().at("/error/code").asLong(), "no bitmap before activation");
        sim.writeOp(vol, Bitmaps.raw(65536, 65536, 2));
        assertEquals("{}", sim.doradoOk(s, "POST", "snapshot/activate", Map.of("SNAPSHOTLIST", List.of(obj))).toString());
        assertEquals("43", sim.doradoOk(s, "GET", "snapshot/" + obj, null).get("RUNNINGSTATUS").asText());
        assertEquals(sim.sha("volumes", vol), sim.sha("snapshots", snap), "the data froze at activation");
        Resp twice = sim.dorado(s, "POST", "snapshot/activate", Map.of("SNAPSHOTLIST", List.of(obj)));
        assertEquals(50331651L, twice.json().at("/error/code").asLong());
        Resp missing = sim.dorado(s, "POST", "snapshot/activate", Map.of("SNAPSHOTLIST", List.of("99999")));
        assertEquals(1077937880L, missing.json().at("/error/code").asLong());
    }

    @Test
    void should_activate_several_snapshots_at_one_instant() {
        sim.settings(Map.of("auto_activate", false));
        String a = sim.volume(64 * HcsSim.MIB, Map.of()).get("id").asText();
        String b = sim.volume(64 * HcsSim.MIB, Map.of()).get("id").asText();
        String sa = sim.snapshot(a);
        String sb = sim.snapshot(b);
        sim.writeOp(a, Bitmaps.raw(0, 4096, 5));
        sim.writeOp(b, Bitmaps.raw(8192, 4096, 6));
        Session s = sim.dorado();
        sim.doradoOk(s, "POST", "snapshot/activate", Map.of("SNAPSHOTLIST", List.of(sim.snapshotLun(sa), sim.snapshotLun(sb))));
        String shaA = sim.sha("snapshots", sa);
        String shaB = sim.sha("snapshots", sb);
        assertEquals(sim.sha("volumes", a), shaA);
        assertEquals(sim.sha("volumes", b), shaB);
        sim.writeOp(a, Bitmaps.raw(0, 4096, 7));
        assertEquals(shaA, sim.sha("snapshots", sa), "frozen: later writes do not reach it");
        assertNotEquals(shaA, sim.sha("volumes", a));
    }

    @Test
    void should_activate_through_the_hcs_extension_active_snapshots() {
        sim.settings(Map.of("auto_activate", false));
        String a = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        String sa = sim.snapshot(a);
        String obj = sim.snapshotLun(sa);
        Resp r = sim.evs("POST", "/v2/{p}/os-hw_snapshots/active_snapshots", Map.of("snapshots", Map.of(
                "volume_id", a,
                "volume_snapshots", List.of(Map.of("snapshot_provider_location", "{\"lun_id\":\"" + obj + "\"}")))));
        assertEquals(200, r.status(), r.text());
        assertEquals("43", sim.doradoOk(sim.dorado(), "GET", "snapshot/" + obj, null).get("RUNNINGSTATUS").asText());
        Resp bad = sim.evs("POST", "/v2/{p}/os-hw_snapshots/active_snapshots", Map.of("snapshots", Map.of(
                "volume_snapshots", List.of(Map.of("snapshot_provider_location", "6604")))));
        assertEquals(400, bad.status());
        assertTrue(bad.json().at("/error/message").asText().contains("snapshot_provider_location"), bad.text());
    }

    @Test
    void should_answer_busy_when_injected_then_recover() {
        Session s = sim.dorado();
        sim.control("POST", "/faults", Map.of("kind", "dorado_error", "op", "lun", "code", 1077949006L, "count", 2));
        assertEquals(1077949006L, sim.dorado(s, "GET", "lun/129", null).json().at("/error/code").asLong());
        assertEquals(1077949006L, sim.dorado(s, "GET", "lun?range=%5B0-100%5D", null).json().at("/error/code").asLong());
        assertEquals(0, sim.dorado(s, "GET", "lun/129", null).json().at("/error/code").asInt());
    }
}
