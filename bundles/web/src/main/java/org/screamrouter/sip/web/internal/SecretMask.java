package org.screamrouter.sip.web.internal;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What {@code GET /api/config} hides. A key whose name contains {@code password}, {@code passwd}, {@code secret},
 * {@code passphrase}, {@code token}, {@code credential}, {@code private} or {@code apikey}/{@code api.key}/{@code api_key}
 * (any case) is a secret: its value is shown as {@link #MASK} (an empty value stays empty: nothing is set). In every
 * other value, the credentials a value can carry are hidden too: the password of a URL's user info
 * ({@code https://user:********@host}) and the password of an ICE server entry {@code url|username|password}
 * (the audio engine's {@code ice.servers}).
 */
final class SecretMask {
    static final String MASK = "********";
    private static final List<String> SECRET_WORDS = List.of("password", "passwd", "secret", "passphrase", "token", "credential", "private",
            "apikey", "api.key", "api_key");
    /** {@code scheme://user:password@}: the password part. */
    private static final Pattern URL_PASSWORD = Pattern.compile("(://[^/@:\\s]*:)[^/@\\s]+@");
    /** {@code url|username|password} of {@code ice.servers}. */
    private static final Pattern ICE_PASSWORD = Pattern.compile("^([^|]*\\|[^|]*\\|).+$");

    private SecretMask() {}

    /** Whether the key's whole value is a secret. */
    static boolean secretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        for (String word : SECRET_WORDS) {
            if (k.contains(word)) {
                return true;
            }
        }
        return false;
    }

    /** One value (or one element of an array) of {@code key} as it may be shown. */
    static String mask(String key, String value) {
        if (secretKey(key)) {
            return value.isEmpty() ? value : MASK;
        }
        String shown = URL_PASSWORD.matcher(value).replaceAll("$1" + MASK + "@");
        if (key.toLowerCase(Locale.ROOT).endsWith("ice.servers")) {
            shown = ICE_PASSWORD.matcher(shown).replaceFirst("$1" + MASK);
        }
        return shown;
    }
}
