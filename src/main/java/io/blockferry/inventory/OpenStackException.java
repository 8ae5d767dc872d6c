package io.blockferry.inventory;

import io.blockferry.BlockferryException;

/**
 * An OpenStack call failed. The message names the URL, user and domain involved and what to check,
 * and never a password or token. openstack4j exceptions are deliberately not chained as causes:
 * their toString can render the request, and an authentication request carries the password.
 */
public class OpenStackException extends BlockferryException {

    private final int httpStatus;

    public OpenStackException(String message, int httpStatus) {
        super(message);
        this.httpStatus = httpStatus;
    }

    /** The HTTP status OpenStack answered with, or 0 when it did not answer at all. */
    public int httpStatus() {
        return httpStatus;
    }
}
