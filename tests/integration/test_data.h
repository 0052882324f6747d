// Small inputs the integration tests share (written for the tests, not reference data).
#pragma once

namespace diamond::testing {

// One stone without a price, as a JSON object.
inline constexpr char kStone[] =
    R"({"carat": 1.05, "cut": "Ideal", "color": "H", "clarity": "SI2", "depth": 61.9, "table": 56.0, "x": 6.55, "y": 6.59, "z": 4.07})";

// Six priced stones as canonical CSV (shortest round-trip numbers), enough to train on.
inline constexpr char kSmallCsv[] =
    "carat,cut,color,clarity,depth,table,price,x,y,z\n"
    "0.3,Ideal,E,VS2,61.5,55,650,4.3,4.31,2.65\n"
    "1.05,Ideal,H,SI2,61.9,56,4650,6.55,6.59,4.07\n"
    "1.5,Premium,G,SI1,62,58,9000,7.3,7.31,4.5\n"
    "0.7,Very Good,F,VVS2,61,57,3000,5.7,5.72,3.5\n"
    "2,Good,J,I1,63,59,8000,8,8.05,5\n"
    "0.5,Fair,D,IF,64,56,2500,5,5.1,3.2\n";

}  // namespace diamond::testing
