package io.blockferry.ops;

import io.blockferry.schedule.ServerDirectory;
import java.util.LinkedHashMap;
import java.util.Map;

/** The REST API of the OpenStack servers the source can protect, with the Ceph images of their disks. */
public final class ServerApi {

    private final ServerDirectory servers;

    public ServerApi(ServerDirectory servers) {
        this.servers = servers;
    }

    /** {@code enabled} is false, with no servers, when the OpenStack inventory is off. */
    public Map<String, Object> servers() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", servers != ServerDirectory.NONE);
        out.put("servers", servers.servers());
        return out;
    }
}
