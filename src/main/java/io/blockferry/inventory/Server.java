package io.blockferry.inventory;

import java.util.List;

/**
 * A Nova server as polled.
 *
 * @param taskState        Nova's task state (migrating, resize_prep, ...), or null when idle
 * @param host             the compute host, or null when the caller may not see it (non-admin)
 * @param rootDevice       the root device name, e.g. /dev/vda, or null when not reported
 * @param volumes          the attached volumes, in Nova's order
 * @param projectName      the project's name from Keystone, or null when Keystone did not show it
 * @param domainId         the project's domain, or null when unknown
 * @param domainName       that domain's name, or null when unknown
 * @param userId           the user who created the server (keypairs belong to users)
 * @param keyName          the keypair named at boot, or null
 * @param availabilityZone Nova's availability zone, or null
 * @param securityGroups   security group names as Nova reports them
 */
public record Server(String id, String name, String projectId, String status, String taskState, String host,
                     String flavorId, String flavorName, List<String> tags, List<ServerVolume> volumes,
                     BootSource bootSource, String rootDevice, String projectName, String domainId, String domainName,
                     String userId, String keyName, String availabilityZone, List<String> securityGroups) {

    public Server {
        tags = List.copyOf(tags);
        volumes = List.copyOf(volumes);
        securityGroups = securityGroups == null ? List.of() : List.copyOf(securityGroups);
    }

    /** A server without the Keystone and placement details (tests, callers that do not have them). */
    public Server(String id, String name, String projectId, String status, String taskState, String host,
                  String flavorId, String flavorName, List<String> tags, List<ServerVolume> volumes,
                  BootSource bootSource, String rootDevice) {
        this(id, name, projectId, status, taskState, host, flavorId, flavorName, tags, volumes, bootSource, rootDevice,
                null, null, null, null, null, null, List.of());
    }

    /** The same server with the names Keystone gave its project and domain. */
    public Server withProject(Project project) {
        return new Server(id, name, projectId, status, taskState, host, flavorId, flavorName, tags, volumes, bootSource,
                rootDevice, project.name(), project.domainId(), project.domainName(), userId, keyName, availabilityZone,
                securityGroups);
    }
}
