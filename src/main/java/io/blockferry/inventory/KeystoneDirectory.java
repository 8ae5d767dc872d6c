package io.blockferry.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The projects and domains a token may see, with names, so that policies can select servers by
 * project or domain. An admin lists every project; a member or reader gets 403 there and falls
 * back to the projects it has roles on, and to the domains of those projects.
 */
final class KeystoneDirectory {

    private KeystoneDirectory() {
    }

    /** Every project the token can see, with its domain's name where Keystone gives it. */
    static List<Project> projects(OpenStackApi api) {
        List<Project> projects;
        try {
            projects = InventoryJson.projects(InventoryJson.list(api.identity("/projects").path("projects")));
        } catch (OpenStackException e) {
            if (!refused(e)) {
                throw e;
            }
            projects = assignedProjects(api);
        }
        Map<String, String> domainNames = domainNames(api, projects);
        List<Project> named = new ArrayList<>();
        for (Project p : projects) {
            named.add(new Project(p.id(), p.name(), p.domainId(), domainNames.get(p.domainId())));
        }
        return named;
    }

    /** The projects the user has a role on (GET /v3/auth/projects works with any token, even unscoped). */
    static List<Project> assignedProjects(OpenStackApi api) {
        return InventoryJson.projects(InventoryJson.list(api.identity("/auth/projects").path("projects")));
    }

    private static Map<String, String> domainNames(OpenStackApi api, List<Project> projects) {
        Map<String, String> names = new HashMap<>();
        try {
            for (JsonNode domain : api.identity("/domains").path("domains")) {
                names.put(InventoryJson.text(domain, "id"), InventoryJson.text(domain, "name"));
            }
            return names;
        } catch (OpenStackException e) {
            if (!refused(e)) {
                throw e;
            }
        }
        // Keystone lets a project-scoped token read its own project's domain, and not much more.
        Map<String, Boolean> ids = new LinkedHashMap<>();
        projects.forEach(p -> ids.put(p.domainId(), true));
        for (String id : ids.keySet()) {
            try {
                names.put(id, InventoryJson.text(api.identity("/domains/" + id).path("domain"), "name"));
            } catch (OpenStackException e) {
                if (!refused(e)) {
                    throw e;
                }
            }
        }
        return names;
    }

    private static boolean refused(OpenStackException e) {
        return e.httpStatus() == 403 || e.httpStatus() == 401 || e.httpStatus() == 404;
    }
}
