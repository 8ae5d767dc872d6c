package io.blockferry.schedule;

import java.util.List;

/** The servers a policy can select, with their disks in boot order; fed by the OpenStack inventory. */
public interface ServerDirectory {

    ServerDirectory NONE = List::of;

    List<ServerDisks> servers();

    /**
     * A server and the Ceph images behind its disks.
     *
     * @param projectKeys the project's id and name
     * @param domainKeys  the domain's id and name
     */
    record ServerDisks(String id, String name, List<String> tags, List<String> projectKeys, List<String> domainKeys,
                       List<Disk> disks) {
    }

    /** @param volumeId the Cinder volume id, or null for an image-booted root disk */
    record Disk(String device, String volumeId, String imageSpec) {
    }
}
