package io.blockferry.ops;

/** The JSON body of every error answer of the API. */
public record ApiError(int status, String error) {

    public static ApiError of(Exception e) {
        return e instanceof ApiException api ? new ApiError(api.status(), api.getMessage())
                : new ApiError(500, e.getMessage());
    }
}
