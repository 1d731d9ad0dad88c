// Smaller stand-ins for two libc functions in the WebAssembly build only.
//
// musl's strtod works in long double (soft-float code on wasm) and snprintf pulls in printf's
// whole formatter, together about 12 KB of the module. The core parses only short decimal numbers
// (catalog and config.json values) and nlohmann_json formats only "<U+%.4X>" in parse errors, so
// these versions cover exactly that; tests/wasm check that the native and wasm builds agree.
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

// 10^0 .. 10^22 are exact doubles: mantissa x 10^k or mantissa / 10^k with a mantissa below 2^53
// is then one correctly rounded operation (Clinger's fast path), which is how these are parsed.
constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

double scale10(double v, int e) {
    // Outside the fast path: scale in exact steps of 10^22 (correct to within an ulp or two).
    while (e > 22) { v *= 1e22; e -= 22; }
    while (e < -22) { v /= 1e22; e += 22; }
    return e >= 0 ? v * kPow10[e] : v / kPow10[-e];
}

void put(char* out, std::size_t size, std::size_t& n, char c) {
    if (n + 1 < size) out[n] = c;
    ++n;
}

}  // namespace

extern "C" double strtod(const char* s, char** end) {
    const char* p = s;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v') ++p;
    bool negative = false;
    if (*p == '+' || *p == '-') negative = *p++ == '-';
    std::uint64_t mantissa = 0;
    int digits = 0, exponent = 0;
    bool any = false;
    for (; is_digit(*p); ++p, any = true) {
        if (digits < 19) { mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0'); if (mantissa) ++digits; }
        else ++exponent;
    }
    if (*p == '.') {
        ++p;
        for (; is_digit(*p); ++p, any = true) {
            if (digits < 19) { mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0'); if (mantissa) ++digits; --exponent; }
        }
    }
    if (!any) {
        if (end) *end = const_cast<char*>(s);
        return 0;
    }
    if (*p == 'e' || *p == 'E') {
        const char* q = p + 1;
        bool eneg = false;
        if (*q == '+' || *q == '-') eneg = *q++ == '-';
        if (is_digit(*q)) {
            int e = 0;
            for (; is_digit(*q); ++q) e = e < 10000 ? e * 10 + (*q - '0') : e;
            exponent += eneg ? -e : e;
            p = q;
        }
    }
    if (end) *end = const_cast<char*>(p);
    double v = static_cast<double>(mantissa);
    if (mantissa != 0) v = (mantissa < (1ull << 53) && exponent >= -22 && exponent <= 22) ? (exponent >= 0 ? v * kPow10[exponent] : v / kPow10[-exponent])
                                                                                           : scale10(v, exponent);
    return negative ? -v : v;
}

extern "C" int vsnprintf(char* out, std::size_t size, const char* format, va_list args) {
    std::size_t n = 0;
    for (const char* f = format; *f; ++f) {
        if (*f != '%') { put(out, size, n, *f); continue; }
        ++f;
        if (*f == '%') { put(out, size, n, '%'); continue; }
        bool zero = false;
        int width = 0, precision = -1, longs = 0;
        if (*f == '0') { zero = true; ++f; }
        while (is_digit(*f)) width = width * 10 + (*f++ - '0');
        if (*f == '.') { precision = 0; ++f; while (is_digit(*f)) precision = precision * 10 + (*f++ - '0'); }
        while (*f == 'l') { ++longs; ++f; }
        if (*f == 'z') { longs = 1; ++f; }
        char buf[24];
        int len = 0;
        if (*f == 's') {
            const char* str = va_arg(args, const char*);
            for (; str && *str; ++str) put(out, size, n, *str);
            continue;
        }
        if (*f == 'c') { put(out, size, n, static_cast<char>(va_arg(args, int))); continue; }
        std::uint64_t u = 0;
        bool negative = false;
        unsigned base = (*f == 'x' || *f == 'X') ? 16 : 10;
        if (*f == 'd' || *f == 'i') {
            const long long v = longs >= 2 ? va_arg(args, long long) : longs == 1 ? va_arg(args, long) : va_arg(args, int);
            negative = v < 0;
            u = negative ? 0ull - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
        } else if (*f == 'u' || *f == 'x' || *f == 'X') {
            u = longs >= 2 ? va_arg(args, unsigned long long) : longs == 1 ? va_arg(args, unsigned long) : va_arg(args, unsigned);
        } else {
            put(out, size, n, '?');  // floating-point and other conversions are not used by the core
            if (*f == 'f' || *f == 'g' || *f == 'e') (void)va_arg(args, double);
            continue;
        }
        const char* digits = *f == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
        do { buf[len++] = digits[u % base]; u /= base; } while (u && len < 23);
        const int min_digits = precision > 0 ? precision : 0;
        const int body = (len > min_digits ? len : min_digits) + (negative ? 1 : 0);
        for (int pad = body; pad < width; ++pad) put(out, size, n, zero && precision < 0 ? '0' : ' ');
        if (negative) put(out, size, n, '-');
        for (int pad = len; pad < min_digits; ++pad) put(out, size, n, '0');
        while (len) put(out, size, n, buf[--len]);
    }
    if (size) out[n < size ? n : size - 1] = '\0';
    return static_cast<int>(n);
}

extern "C" int snprintf(char* out, std::size_t size, const char* format, ...) {
    va_list args;
    va_start(args, format);
    const int n = vsnprintf(out, size, format, args);
    va_end(args);
    return n;
}

// musl defines these beside strtod in one object; defining all three keeps that object out.
extern "C" float strtof(const char* s, char** end) { return static_cast<float>(strtod(s, end)); }
extern "C" long double strtold(const char* s, char** end) { return strtod(s, end); }
