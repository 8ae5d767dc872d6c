package io.blockferry.hcssim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.blockferry.hcssim.HcsSim.Resp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** IAM tokens and APIG's token check (hcs-dorado-api.md §1.2, §1.3, §4.3.1). */
class HcsIamContractTest {

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

    @Test
    void should_issue_a_project_scoped_token_with_201_and_the_x_subject_token_header() {
        Resp r = sim.requestToken();
        assertEquals(201, r.status(), r.text());
        String token = r.header("X-Subject-Token");
        assertNotNull(token);
        assertTrue(token.length() > 100, "a long opaque token");
        JsonNode t = r.json().get("token");
        assertTrue(t.get("expires_at").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z"),
                t.get("expires_at").asText());
        Instant issued = Instant.parse(t.get("issued_at").asText());
        Instant expires = Instant.parse(t.get("expires_at").asText());
        assertEquals(Duration.ofHours(24), Duration.between(issued, expires), "a token lives 24 h");
        assertEquals("[\"password\"]", t.get("methods").toString());
        assertEquals(sim.projectId, t.at("/project/id").asText());
        assertEquals("sc-cd-1_blockferry", t.at("/project/name").asText(), "project names are {region}_{name}");
        assertEquals("blockferry-domain", t.at("/project/domain/name").asText());
        assertEquals("blockferry", t.at("/user/name").asText());
        assertEquals("vdc_adm", t.at("/roles/0/name").asText());
        Map<String, JsonNode> byType = new HashMap<>();
        t.get("catalog").forEach(c -> byType.put(c.get("type").asText(), c));
        assertEquals("evs", byType.get("volume").get("name").asText());
        assertEquals(sim.evsUrl + "/v2/" + sim.projectId, byType.get("volume").at("/endpoints/0/url").asText());
        assertEquals("public", byType.get("volume").at("/endpoints/0/interface").asText());
        assertEquals("sc-cd-1", byType.get("volume").at("/endpoints/0/region").asText());
        assertEquals("ecs", byType.get("compute").get("name").asText());
        assertEquals(sim.ecsUrl + "/v2/" + sim.projectId, byType.get("compute").at("/endpoints/0/url").asText());
        assertEquals("iam", byType.get("iam").get("name").asText());
        assertEquals("internal", byType.get("iam").at("/endpoints/0/interface").asText());
    }

    @Test
    void should_accept_a_token_on_ecs_and_evs() {
        assertEquals(200, sim.ecs("GET", "/v1/{p}/cloudservers/detail", null).status());
        assertEquals(200, sim.evs("GET", "/v2/{p}/types", null).status());
    }

    @Test
    void should_accept_the_project_by_name() {
        ObjectNode body = sim.tokenBody("blockferry", sim.iamPassword, "blockferry-domain", "x");
        ObjectNode project = (ObjectNode) body.at("/auth/scope/project");
        project.remove("id");
        project.put("name", "sc-cd-1_blockferry");
        Resp r = sim.send("POST", sim.iamUrl + "/v3/auth/tokens", Map.of(), body);
        assertEquals(201, r.status(), r.text());
        assertEquals(sim.projectId, r.json().at("/token/project/id").asText());
    }

    @Test
    void should_answer_401_for_a_wrong_password() {
        Resp r = sim.send("POST", sim.iamUrl + "/v3/auth/tokens", Map.of(),
                sim.tokenBody("blockferry", "wrong", "blockferry-domain", sim.projectId));
        assertEquals(401, r.status());
        assertEquals(401, r.json().at("/error/code").asInt());
        assertEquals("The username or password is wrong.", r.json().at("/error/message").asText());
        assertEquals(null, r.header("X-Subject-Token"));
    }

    @Test
    void should_answer_400_naming_the_problem_for_a_body_without_a_project_scope_or_not_json() {
        ObjectNode body = sim.tokenBody("blockferry", sim.iamPassword, "blockferry-domain", sim.projectId);
        ((ObjectNode) body.get("auth")).remove("scope");
        Resp r = sim.send("POST", sim.iamUrl + "/v3/auth/tokens", Map.of(), body);
        assertEquals(400, r.status());
        assertTrue(r.json().at("/error/message").asText().contains("auth.scope.project"), r.text());
        Resp bad = sim.send("POST", sim.iamUrl + "/v3/auth/tokens", Map.of(), "{not json");
        assertEquals(400, bad.status());
        assertTrue(bad.json().at("/error/message").asText().contains("not valid JSON"), bad.text());
    }

    @Test
    void should_answer_apig_0301_without_a_token_and_for_an_unknown_token() {
        Resp none = sim.send("GET", sim.ecsUrl + "/v1/" + sim.projectId + "/cloudservers/detail", Map.of(), null);
        assertEquals(401, none.status());
        assertEquals("APIG.0301", none.json().get("error_code").asText());
        assertEquals("Incorrect IAM authentication information: x-auth-token not found",
                none.json().get("error_msg").asText());
        assertTrue(none.json().get("request_id").asText().matches("[0-9a-f]{32}"));
        Resp bad = sim.send("GET", sim.evsUrl + "/v2/" + sim.projectId + "/types", Map.of("X-Auth-Token", "MIIfake"), null);
        assertEquals(401, bad.status());
        assertEquals("Incorrect IAM authentication information: decrypt token fail", bad.json().get("error_msg").asText());
    }

    @Test
    void should_answer_apigw_0307_for_an_expired_token_or_apig_0301_per_setting() {
        sim.token();
        sim.control("POST", "/iam/tokens/expire", null);
        Resp r = sim.ecs("GET", "/v1/{p}/cloudservers/detail", null);
        assertEquals(401, r.status());
        assertEquals("APIGW.0307", r.json().get("error_code").asText());
        assertEquals("The token must be updated.", r.json().get("error_msg").asText());
        sim.settings(Map.of("apig_401_body", "APIG.0301"));
        Resp r2 = sim.evs("GET", "/v2/{p}/types", null);
        assertEquals(401, r2.status());
        assertEquals("APIG.0301", r2.json().get("error_code").asText());
        assertTrue(r2.json().get("error_msg").asText()
                .startsWith("Incorrect IAM authentication information: token expires, expires_at: "), r2.text());
    }

    @Test
    void should_answer_ecs_0023_and_evs_0001_when_the_url_names_another_project() {
        Resp e = sim.send("GET", sim.ecsUrl + "/v1/0123456789abcdef0123456789abcdef/cloudservers/detail",
                Map.of("X-Auth-Token", sim.token()), null);
        assertEquals(400, e.status());
        assertEquals("Ecs.0023", e.json().at("/error/code").asText());
        Resp v = sim.send("GET", sim.evsUrl + "/v2/0123456789abcdef0123456789abcdef/types",
                Map.of("X-Auth-Token", sim.token()), null);
        assertEquals(400, v.status());
        assertEquals("EVS.0001", v.json().at("/error/code").asText());
    }

    @Test
    void should_answer_apigw_0101_for_an_unknown_path_and_for_a_service_asked_on_another_endpoint() {
        Resp unknown = sim.ecs("GET", "/v1/{p}/nothing-here", null);
        assertEquals(404, unknown.status());
        assertEquals("APIGW.0101", unknown.json().get("error_code").asText());
        Resp wrongHost = sim.send("GET", sim.ecsUrl + "/v2/" + sim.projectId + "/types",
                Map.of("X-Auth-Token", sim.token()), null);
        assertEquals(404, wrongHost.status(), "an EVS path on the ECS endpoint");
        assertEquals("APIGW.0101", wrongHost.json().get("error_code").asText());
    }

    @Test
    void should_expire_tokens_after_token_ttl_seconds() {
        sim.settings(Map.of("token_ttl_seconds", 1.0));
        Resp r = sim.requestToken();
        Instant issued = Instant.parse(r.json().at("/token/issued_at").asText());
        Instant expires = Instant.parse(r.json().at("/token/expires_at").asText());
        assertEquals(Duration.ofSeconds(1), Duration.between(issued, expires));
        String token = r.header("X-Subject-Token");
        HcsSim.await(() -> sim.send("GET", sim.evsUrl + "/v2/" + sim.projectId + "/types",
                Map.of("X-Auth-Token", token), null), x -> x.status() == 401, Duration.ofSeconds(5), "token expiry");
    }
}
