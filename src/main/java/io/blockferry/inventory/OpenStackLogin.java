package io.blockferry.inventory;

/**
 * One authentication domain: a credential and what it polls.
 *
 * @param label         the domain name it was configured for, or "default" / "*"
 * @param settings      the credential; without a project it lists and polls the projects it has roles on
 * @param ownDomainOnly keep only what belongs to the user's own domain (an authentication domain
 *                      scoped to its domain, even when an admin token could see more)
 */
public record OpenStackLogin(String label, OpenStackSettings settings, boolean ownDomainOnly) {

    public String describe() {
        return "authentication domain '" + label + "' (" + settings.describe() + ")";
    }
}
