package io.blockferry.schedule;

import io.blockferry.BlockferryException;

import java.util.List;

/** A policy name that is not in the policy file. */
public final class UnknownPolicyException extends BlockferryException {

    public UnknownPolicyException(String name, List<Policy> known) {
        super("policy '" + name + "' is not defined; known policies: "
                + (known.isEmpty() ? "none" : String.join(", ", known.stream().map(Policy::name).toList())));
    }
}
