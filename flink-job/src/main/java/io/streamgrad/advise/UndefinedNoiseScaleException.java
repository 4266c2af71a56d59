package io.streamgrad.advise;

/**
 * The gradient noise scale tr(Σ)/‖G‖² cannot be estimated on this data at these parameters: the
 * gradient is zero, or its estimate is not positive. The message says why and what would help.
 */
public final class UndefinedNoiseScaleException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public UndefinedNoiseScaleException(String message) {
        super(message);
    }
}
