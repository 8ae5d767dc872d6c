package io.blockferry.ops;

/** The JSON body of every error answer of the API. */
public record ApiError(int status, String error) {

    public static ApiError of(Exception e) {
        return e instanceof ApiException api ? new ApiError(api.status(), api.getMessage())
                : new ApiError(500, e.getMessage());
    }

    /** A path this process has no route for, because it runs only the other role. */
    public static ApiError notServedHere(String uri) {
        return new ApiError(404, uri + " is served by a Blockferry running the "
                + (uri != null && uri.endsWith("/points") ? "target" : "source")
                + " role (blockferry.roles); this one does not run it");
    }
}
