package io.blockferry.inventory;

import java.util.List;

/** A Neutron port of a server, with its network's name, for restoring the server's networking. */
public record Port(String id, String serverId, String networkId, String networkName, String macAddress,
                   List<String> fixedIps) {

    public Port {
        fixedIps = List.copyOf(fixedIps);
    }
}
