/*
 * The bare backend's counter clock (strio/bare.h): counter -> time and
 * deadline -> counter conversions, exact at every frequency and without
 * overflow over the whole range of a 64-bit counter.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <strio/bare.h>

static uint64_t counter;

static uint64_t read_counter(void *ctx)
{
    cr_assert_eq(ctx, &counter);
    return counter;
}

static strio_time now_at(strio_bare_counter_clock *cc, uint64_t c)
{
    counter = c;
    return cc->clock.now(&cc->clock);
}

Test(bare_counter, converts_counts_to_nanoseconds)
{
    strio_bare_counter_clock cc;
    strio_bare_counter_clock_init(&cc, read_counter, &counter, 10000000u);
    cr_assert_eq(now_at(&cc, 0), 0);
    cr_assert_eq(now_at(&cc, 1), 100);
    cr_assert_eq(now_at(&cc, 10000000u), STRIO_SEC(1));
    cr_assert_eq(now_at(&cc, 10000001u), STRIO_SEC(1) + 100);
    /* a year of a 10 MHz counter and beyond: no 64-bit overflow */
    uint64_t year = 10000000ull * 3600 * 24 * 365;
    cr_assert_eq(now_at(&cc, year), STRIO_SEC(3600ll * 24 * 365));
    cr_assert_eq(now_at(&cc, 90000000000000000ull),
                 (strio_time)9000000000ll * STRIO_SEC(1));
    cr_assert_null(cc.clock.idle);
}

Test(bare_counter, deadline_rounds_up_to_the_first_count_at_or_after)
{
    static const uint32_t freqs[] = { 1, 1000, 32768, 10000000u, 25000000u,
                                      1000000000u, 4000000000u };
    for (unsigned i = 0; i < sizeof freqs / sizeof freqs[0]; i++) {
        strio_bare_counter_clock cc;
        strio_bare_counter_clock_init(&cc, read_counter, &counter, freqs[i]);
        static const strio_time ts[] = { 0, 1, 99, 100, 101, 30517, 30518,
                                         999999999, 1000000000, 1000000001,
                                         STRIO_SEC(86400) + 12345,
                                         STRIO_SEC(3000000000ll) + 7 };
        for (unsigned j = 0; j < sizeof ts / sizeof ts[0]; j++) {
            uint64_t c = strio_bare_counter_at(&cc, ts[j]);
            /* the compare value is due at or after the deadline ... */
            cr_assert_geq(now_at(&cc, c), ts[j], "hz %u t %lld: count %llu",
                          freqs[i], (long long)ts[j], (unsigned long long)c);
            /* ... and the count before it is still early */
            if (c > 0)
                cr_assert_lt(now_at(&cc, c - 1), ts[j], "hz %u t %lld",
                             freqs[i], (long long)ts[j]);
        }
        cr_assert_eq(strio_bare_counter_at(&cc, -5), 0);
    }
}
