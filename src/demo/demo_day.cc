// A believable Hengqin day of commands (demo_day.h).
//
// The builder keeps a model of every enterprise's account book (lots, first
// in, first out, value and foreign/domestic content shared pro rata as the
// engine does), so that what it sends out, processes or counts is always
// there, and so that it knows the content (M, D) of produced goods and can
// price them above or below the 30 % value-added threshold on purpose.
#include "demo/demo_day.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>

#include "assess/taxes.h"
#include "assess/treatment.h"
#include "core/currency.h"
#include "core/decimal.h"
#include "core/goods_status.h"
#include "core/identifiers.h"
#include "core/json.h"
#include "demo/rng.h"

namespace zg::demo {
namespace {

// ---- randomness: Rng (demo/rng.h) ------------------------------------------

// ---- what the zone deals in -------------------------------------------------

enum class Source : uint8_t { kForeign, kMainland, kZoneMade };

// One kind of goods. Prices are CNY per unit of the tariff line's unit, in the
// range a Hengqin officer would not find odd in 2024 (wholesale, before
// taxes); a shipment is what one truck or container would plausibly carry, in
// whole steps (a case of twelve 75 cl bottles is 9 L); goods move on in the
// same steps.
struct Product {
  std::string_view item;  // the article code in the enterprises' books
  std::string_view hs;
  Source source;
  std::array<std::string_view, 4> origins;  // ISO 3166 alpha-2; unused ones empty
  int64_t fen_min, fen_max;                 // unit price
  int64_t lot_min, lot_max, lot_step;       // one shipment, in whole units
  int64_t gross_g;                          // gross grams per unit, packing included
  int64_t retail_e4;                        // one retail sale unit (1/10000 units); 0: none
  int64_t popularity;                       // how often it is picked among its peers
  std::string_view description;
};

using enum Source;

// clang-format off
constexpr Product kProducts[] = {
  // item               hs          source     origins                  unit price, fen          shipment: min, max, step   gross g  retail  pop
  // Processing inputs from abroad: they come through Macao and enter bonded.
  {"WAFER-12IN",        "38180000", kForeign,  {"JP", "KR", "TW", "DE"}, 150'000,     400'000,     25,      300,     25,      300,    0,      5,
   "silicon wafers, 12-inch, doped"},
  {"CPU-BGA",           "85423100", kForeign,  {"TW", "KR", "US", "MY"}, 60'000,      180'000,     200,     3'000,   100,     20,     0,      5,
   "application processors, BGA package"},
  {"TV-SKD-55",         "85287211", kForeign,  {"KR", "JP", "MY"},       90'000,      160'000,     50,      600,     10,      18'000, 0,      5,
   "55-inch colour TV receivers, semi-knocked-down kits"},
  {"LAPTOP-BAREBONE",   "84713000", kForeign,  {"TW", "VN"},             120'000,     250'000,     100,     1'000,   20,      2'200,  0,      5,
   "14-inch notebook barebones, without processor"},
  {"PHONE-CKD",         "85171300", kForeign,  {"KR", "VN", "IN"},       40'000,      90'000,      200,     3'000,   100,     300,    0,      5,
   "smartphone kits, completely knocked down"},
  {"IMG-SENSOR",        "85423100", kForeign,  {"JP", "DE", "US"},       1'800'000,   3'000'000,   10,      80,      2,       50,     0,      5,
   "4K CMOS image sensors"},
  {"CHOC-COUVERTURE",   "18063200", kForeign,  {"BE", "CH", "FR"},       6'000,       12'000,      500,     4'000,   100,     1'050,  0,      5,
   "couverture chocolate in 5 kg blocks"},
  {"COFFEE-BULK",       "09012100", kForeign,  {"BR", "CO", "ET", "PT"}, 7'000,       16'000,      300,     3'000,   60,      1'030,  0,      5,
   "roasted coffee beans in 60 kg bags"},
  {"TCM-EXTRACT",       "30049090", kForeign,  {"PT", "DE", "CH"},       30'000,      120'000,     20,      200,     10,      1'200,  0,      5,
   "standardised herbal extracts in measured doses"},

  // Inputs bought on the mainland (second-line entries: deemed exports).
  {"PCB-SUBSTRATE-CN",  "85340090", kMainland, {"CN"},                   300,         800,         5'000,   60'000,  1'000,   5,      0,      5,
   "IC package substrates"},
  {"PCB-MAINBOARD-CN",  "85340090", kMainland, {"CN"},                   30'000,      70'000,      100,     1'000,   20,      300,    0,      5,
   "notebook mainboards, 10-layer"},
  {"PCB-PHONE-CN",      "85340090", kMainland, {"CN"},                   12'000,      30'000,      200,     3'000,   100,     60,     0,      5,
   "smartphone main boards, HDI"},
  {"PCB-TV-CN",         "85340090", kMainland, {"CN"},                   15'000,      40'000,      50,      600,     10,      400,    0,      5,
   "TV main boards"},
  {"PCB-CAMERA-CN",     "85340090", kMainland, {"CN"},                   60'000,      150'000,     10,      80,      5,       200,    0,      5,
   "camera control boards"},
  {"MILK-POWDER-CN",    "04022100", kMainland, {"CN"},                   2'800,       4'500,       500,     5'000,   25,      1'020,  0,      5,
   "whole milk powder, 25 kg bags"},
  {"HERBAL-CN",         "30049090", kMainland, {"CN"},                   12'000,      40'000,      40,      400,     10,      1'100,  0,      5,
   "herbal medicine granules in measured doses"},
  {"CEMENT-CN",         "25232900", kMainland, {"CN"},                   35,          60,          50'000,  400'000, 10'000,  1'000,  0,      5,
   "Portland cement P.O 42.5, bulk"},
  {"REBAR-CN",          "72142000", kMainland, {"CN"},                   350,         480,         20'000,  200'000, 5'000,   1'000,  0,      5,
   "HRB400 deformed rebar"},
  {"WINE-CN-NINGXIA",   "22042100", kMainland, {"CN"},                   8'000,       30'000,      90,      900,     9,       1'600,  7'500,  5,
   "Ningxia red wine, 75 cl bottles"},

  // For the importer's own use: machinery, moulds and construction materials
  // are on the exempt list; fridges (8418 is excluded) and medicaments are
  // not, so they enter bonded even for own use.
  {"DIE-BONDER",        "84798999", kForeign,  {"JP", "NL", "SG", "DE"}, 80'000'000,  400'000'000, 1,       3,       1,       2'500'000, 0,   5,
   "automatic die bonders"},
  {"MOULD-ENCAP",       "84807190", kForeign,  {"JP", "DE"},             6'000'000,   40'000'000,  1,       6,       1,       900'000, 0,     5,
   "transfer moulds for IC encapsulation"},
  {"SMT-LINE",          "84798999", kForeign,  {"JP", "DE", "KR"},       50'000'000,  250'000'000, 1,       2,       1,       1'800'000, 0,   5,
   "SMT pick-and-place machines"},
  {"MOULD-INJ",         "84807190", kForeign,  {"DE", "JP", "PT"},       6'000'000,   40'000'000,  1,       6,       1,       900'000, 0,     5,
   "injection moulds for device housings"},
  {"CNC-5AX",           "84798999", kForeign,  {"DE", "JP", "CH"},       150'000'000, 450'000'000, 1,       2,       1,       8'000'000, 0,   5,
   "5-axis machining centres"},
  {"PACKING-LINE",      "84798999", kForeign,  {"IT", "DE"},             30'000'000,  150'000'000, 1,       2,       1,       1'500'000, 0,   5,
   "food packaging machines"},
  {"EXTRACTION-UNIT",   "84798999", kForeign,  {"DE", "CH", "JP"},       20'000'000,  90'000'000,  1,       2,       1,       2'000'000, 0,   5,
   "herbal extraction and concentration units"},
  {"EXCAVATOR-30T",     "84295212", kForeign,  {"JP", "KR", "DE", "US"}, 60'000'000,  160'000'000, 1,       4,       1,       30'000'000, 0,  3,
   "30-tonne crawler excavators"},
  {"REBAR-IMPORT",      "72142000", kForeign,  {"TR", "JP", "KR", "VN"}, 380,         520,         50'000,  400'000, 10'000,  1'000,  0,      5,
   "HRB500 deformed rebar"},
  {"CEMENT-IMPORT",     "25232900", kForeign,  {"VN", "TH", "JP"},       38,          65,          100'000, 800'000, 20'000,  1'000,  0,      5,
   "Portland cement, bulk"},
  {"ECG-12L",           "90181100", kForeign,  {"DE", "JP", "US", "NL"}, 3'000'000,   25'000'000,  1,       10,      1,       15'000, 0,      5,
   "12-lead electrocardiographs"},
  {"FRIDGE-STAFF",      "84181020", kForeign,  {"DE", "KR", "JP"},       400'000,     1'500'000,   2,       20,      1,       90'000, 0,      3,
   "combined refrigerator-freezers for staff quarters"},
  {"MED-SUPPLIES",      "30049090", kForeign,  {"PT", "DE", "FR"},       20'000,      150'000,     10,      200,     10,      1'300,  0,      4,
   "medicaments in measured doses, for the clinic"},

  // Trade goods: bonded on entry, taxed when they reach the mainland or an
  // individual, free when re-exported.
  {"WINE-PT-DOURO",     "22042100", kForeign,  {"PT"},                   6'000,       40'000,      450,     4'500,   9,       1'600,  7'500,  8,
   "Douro red wine, 75 cl bottles"},
  {"WINE-FR-BORDEAUX",  "22042100", kForeign,  {"FR"},                   12'000,      90'000,      225,     2'700,   9,       1'600,  7'500,  6,
   "Bordeaux red wine, 75 cl bottles"},
  {"WINE-CL-MAIPO",     "22042100", kForeign,  {"CL"},                   5'000,       15'000,      450,     4'500,   9,       1'600,  7'500,  4,
   "Maipo Valley red wine, 75 cl bottles"},
  {"WHISKY-GB",         "22083000", kForeign,  {"GB"},                   30'000,      180'000,     70,      700,     7,       1'900,  7'000,  4,
   "Scotch whisky, 70 cl bottles"},
  {"BEER-PT",           "22030000", kForeign,  {"PT", "DE", "NL"},       900,         1'600,       2'000,   20'000,  100,     1'100,  79'200, 4,
   "lager beer, 33 cl cans"},
  {"CIGARETTES",        "24022000", kForeign,  {"GB", "CH", "ID"},       40'000,      90'000,      50,      500,     10,      1'200,  2'000,  5,
   "cigarettes, king size"},
  {"BEEF-FROZEN",       "02023000", kForeign,  {"AU", "BR", "AR", "NZ"}, 4'500,       8'500,       2'000,   24'000,  500,     1'050,  0,      8,
   "frozen boneless beef"},
  {"PORK-FROZEN",       "02032900", kForeign,  {"ES", "DK", "NL", "BR"}, 1'700,       3'000,       5'000,   25'000,  500,     1'050,  0,      6,
   "frozen pork cuts"},
  {"SHRIMP-FROZEN",     "03061719", kForeign,  {"EC", "VN", "TH", "AR"}, 4'000,       9'000,       1'000,   12'000,  250,     1'100,  0,      6,
   "frozen white shrimp"},
  {"WINGS-FROZEN",      "02071422", kForeign,  {"BR", "US", "AR"},       1'500,       2'600,       2'000,   20'000,  500,     1'050,  0,      5,
   "frozen chicken wings"},
  {"KIWI",              "08105000", kForeign,  {"NZ", "IT", "CL"},       1'200,       2'600,       1'000,   10'000,  250,     1'100,  0,      4,
   "fresh kiwifruit"},
  {"MILK-POWDER",       "04022100", kForeign,  {"NZ", "AU", "NL"},       2'800,       4'200,       1'000,   20'000,  25,      1'020,  0,      4,
   "whole milk powder, 25 kg bags"},
  {"INFANT-FORMULA",    "19011010", kForeign,  {"NL", "IE", "NZ", "DE"}, 12'000,      28'000,      400,     4'000,   40,      1'300,  8'000,  5,
   "infant formula, 800 g tins"},
  {"CHOCOLATE-BAR",     "18063200", kForeign,  {"BE", "CH", "IT"},       8'000,       20'000,      200,     2'000,   20,      1'150,  0,      3,
   "chocolate bars"},
  {"PERFUME-EDP",       "33030000", kForeign,  {"FR", "IT"},             40'000,      160'000,     50,      1'000,   10,      450,    10'000, 7,
   "eau de parfum, 100 ml"},
  {"SKINCARE-SERUM",    "33049900", kForeign,  {"KR", "JP", "FR"},       15'000,      90'000,      100,     2'000,   20,      200,    10'000, 7,
   "face serum, 50 ml"},
  {"WATCH-GOLD",        "91011100", kForeign,  {"CH"},                   4'000'000,   25'000'000,  2,       30,      1,       400,    10'000, 3,
   "gold-cased quartz wrist-watches"},
  {"JEWELLERY-PT",      "71131990", kForeign,  {"IT", "FR", "CH"},       25'000,      60'000,      100,     3'000,   50,      2,      50'000, 3,
   "platinum jewellery"},
  {"HANDBAG-LEATHER",   "42022100", kForeign,  {"IT", "FR", "ES"},       300'000,     2'500'000,   10,      200,     5,       1'500,  10'000, 4,
   "leather handbags"},
  {"SHOES-LEATHER",     "64039900", kForeign,  {"PT", "IT", "ES"},       40'000,      250'000,     50,      600,     10,      1'300,  10'000, 4,
   "leather shoes"},
  {"TSHIRT-COTTON",     "61091000", kForeign,  {"PT", "BD", "VN", "TR"}, 3'000,       15'000,      500,     6'000,   100,     250,    10'000, 4,
   "cotton T-shirts"},
  {"LAPTOP-14",         "84713000", kForeign,  {"TW", "VN", "JP"},       300'000,     900'000,     50,      800,     10,      2'500,  0,      5,
   "14-inch notebook computers"},
  {"PHONE-5G",          "85171300", kForeign,  {"KR", "VN", "US"},       200'000,     800'000,     100,     2'000,   20,      450,    0,      5,
   "5G smartphones"},
  {"FRIDGE-DE",         "84181020", kForeign,  {"DE", "KR", "JP"},       400'000,     1'500'000,   20,      200,     5,       90'000, 0,      3,
   "combined refrigerator-freezers"},
  {"FURNITURE-OAK",     "94036000", kForeign,  {"IT", "PT", "DK"},       200'000,     1'200'000,   10,      150,     5,       60'000, 0,      3,
   "oak dining tables"},
  {"BOOKS-PT",          "49019900", kForeign,  {"PT", "BR"},             6'000,       20'000,      100,     2'000,   50,      1'050,  0,      3,
   "Portuguese-language books"},
  {"CAR-2L",            "87032300", kForeign,  {"DE", "JP", "GB", "US"}, 22'000'000,  45'000'000,  2,       12,      1,       1'600'000, 10'000, 8,
   "2.0-litre petrol saloon cars"},
  {"YACHT-12M",         "89039900", kForeign,  {"IT", "NL", "GB"},       250'000'000, 800'000'000, 1,       1,       1,       12'000'000, 0,  1,
   "12-metre motor yachts"},

  // Made in the zone: valued at the content of what they were made of (no
  // price range), moved on in reels, cartons and cases.
  {"HQ-SOC-A76",        "85423100", kZoneMade, {"CN"},                   0,           0,           0,       0,       100,     5,      0,      1,
   "microcontrollers, packaged and tested in the zone"},
  {"HQ-LAPTOP-14",      "84713000", kZoneMade, {"CN"},                   0,           0,           0,       0,       10,      2'600,  0,      1,
   "14-inch notebook computers"},
  {"HQ-PHONE-5G",       "85171300", kZoneMade, {"CN"},                   0,           0,           0,       0,       20,      450,    0,      1,
   "5G smartphones"},
  {"HQ-TV-55",          "85287211", kZoneMade, {"CN"},                   0,           0,           0,       0,       10,      19'000, 0,      1,
   "55-inch colour TV receivers"},
  {"HQ-CAM-4K",         "85258900", kZoneMade, {"CN"},                   0,           0,           0,       0,       1,       6'000,  0,      1,
   "4K broadcast cameras"},
  {"HQ-CHOC-BAR",       "18063200", kZoneMade, {"CN"},                   0,           0,           0,       0,       10,      1'150,  0,      1,
   "milk chocolate bars"},
  {"HQ-COFFEE-250G",    "09012100", kZoneMade, {"CN"},                   0,           0,           0,       0,       10,      1'100,  0,      1,
   "roasted coffee, 250 g retail packs"},
  {"HQ-TCM-CAPSULE",    "30049090", kZoneMade, {"CN"},                   0,           0,           0,       0,       5,       1'300,  0,      1,
   "herbal medicine capsules in measured doses"},
};
// clang-format on

const Product& product(std::string_view item) {
  for (const Product& p : kProducts) {
    if (p.item == item) return p;
  }
  std::abort();  // an article code in the tables below that kProducts lacks: a typo here
}

// What one batch of processing takes and makes. Each input may name an
// alternative (a zone-made part, else the imported one); losses are
// consumed without output (scrap, evaporation, samples).
struct RecipeInput {
  std::array<std::string_view, 2> items;  // the first one with enough stock is used
  int64_t per_batch = 0;                  // 0: no such input
};
struct Recipe {
  std::string_view output;
  int64_t output_per_batch;
  std::array<RecipeInput, 3> inputs;
  std::string_view loss_item;
  int64_t loss_per_batch;
  int64_t max_batches;  // what one shift makes
};

// clang-format off
constexpr Recipe kRecipes[] = {
  // A wafer gives about 240 good dies, each on its own substrate.
  {"HQ-SOC-A76",     240, {{{{"WAFER-12IN"}, 1},       {{"PCB-SUBSTRATE-CN"}, 240}}},                              "", 0, 12},
  {"HQ-LAPTOP-14",   10,  {{{{"LAPTOP-BAREBONE"}, 10}, {{"CPU-BGA"}, 10},       {{"PCB-MAINBOARD-CN"}, 10}}}, "", 0, 20},
  {"HQ-PHONE-5G",    20,  {{{{"PHONE-CKD"}, 20},       {{"CPU-BGA"}, 20},       {{"PCB-PHONE-CN"}, 20}}},     "", 0, 25},
  // TV kits take a zone-packaged controller when one is at hand (value added
  // upstream counts: the cumulative rule), else an imported processor.
  {"HQ-TV-55",       10,  {{{{"TV-SKD-55"}, 10}, {{"HQ-SOC-A76", "CPU-BGA"}, 10}, {{"PCB-TV-CN"}, 10}}},        "", 0, 15},
  {"HQ-CAM-4K",      5,   {{{{"IMG-SENSOR"}, 10},      {{"PCB-CAMERA-CN"}, 5}}},                                   "", 0, 6},
  // 2 kg of every 100 kg of couverture is lost to tempering; a roast loses 5 %.
  {"HQ-CHOC-BAR",    118, {{{{"CHOC-COUVERTURE"}, 100}, {{"MILK-POWDER-CN"}, 20}}},             "CHOC-COUVERTURE", 2, 20},
  {"HQ-COFFEE-250G", 60,  {{{{"COFFEE-BULK"}, 60}}},                                            "COFFEE-BULK",     3, 30},
  {"HQ-TCM-CAPSULE", 30,  {{{{"TCM-EXTRACT"}, 10},     {{"HERBAL-CN"}, 20}}},                   "HERBAL-CN",       1, 10},
};
// clang-format on

const Recipe* recipe_of(std::string_view output) {
  for (const Recipe& r : kRecipes) {
    if (r.output == output) return &r;
  }
  return nullptr;
}

// ---- who is in the zone -------------------------------------------------------

enum class Trade : uint8_t {
  kChips,
  kWine,
  kDevices,
  kFoodImport,
  kConstruction,
  kLuxury,
  kLogistics,
  kFoods,
  kOptics,
  kMedicine,
  kClinic,
  kMotors,
};

struct Archetype {
  Trade trade;
  std::array<std::string_view, 4> cores;     // the business part of a name
  int64_t macao_weight;                      // how often Macao capital is behind it
  bool high_tech, encouraged, retail;        // retail: sells to individuals in the zone
  int64_t entry_weight;                      // how busy it is at the first line
  std::string_view purpose;                  // of its first-line imports
  std::array<std::string_view, 3> recipes;   // processors: one per enterprise, in turn
  std::array<std::string_view, 8> imports;   // trade goods
  std::array<std::string_view, 3> own_use;   // equipment and materials for itself
  std::array<std::string_view, 2> domestic;  // bought on the mainland
};

// In the order enterprises are made, so a small zone still has a bit of everything.
// clang-format off
constexpr Archetype kArchetypes[] = {
  {Trade::kChips, {"Microelectronics", "Semiconductor", "IC Packaging & Test", "Chip Technology"},
   2, true, true, false, 10, "processing",
   {"HQ-SOC-A76"}, {}, {"DIE-BONDER", "MOULD-ENCAP"}, {}},
  {Trade::kWine, {"Wine & Spirits", "Cellars", "Beverage Trading", "Vintners"},
   7, false, false, true, 8, "trade",
   {}, {"WINE-PT-DOURO", "WINE-FR-BORDEAUX", "WINE-CL-MAIPO", "WHISKY-GB", "BEER-PT", "CIGARETTES"},
   {}, {"WINE-CN-NINGXIA"}},
  {Trade::kDevices, {"Smart Devices", "Intelligent Terminals", "Display Technology", "Consumer Electronics"},
   2, true, true, false, 10, "processing",
   {"HQ-LAPTOP-14", "HQ-PHONE-5G", "HQ-TV-55"}, {}, {"SMT-LINE", "MOULD-INJ"}, {}},
  {Trade::kFoodImport, {"Cold Chain Foods", "Food Trading", "Fresh Produce", "Provisions"},
   4, false, false, false, 8, "trade",
   {}, {"BEEF-FROZEN", "PORK-FROZEN", "SHRIMP-FROZEN", "WINGS-FROZEN", "KIWI", "MILK-POWDER",
        "INFANT-FORMULA", "CHOCOLATE-BAR"},
   {}, {"MILK-POWDER-CN"}},
  {Trade::kConstruction, {"Construction Engineering", "Infrastructure", "Island Builders", "Civil Engineering"},
   1, false, false, false, 5, "own_use",
   {}, {}, {"EXCAVATOR-30T", "REBAR-IMPORT", "CEMENT-IMPORT"}, {"CEMENT-CN", "REBAR-CN"}},
  {Trade::kLuxury, {"Luxury Retail", "Fashion House", "Cosmetics Trading", "Watch & Jewellery"},
   6, false, false, true, 7, "trade",
   {}, {"PERFUME-EDP", "SKINCARE-SERUM", "WATCH-GOLD", "JEWELLERY-PT", "HANDBAG-LEATHER",
        "SHOES-LEATHER", "TSHIRT-COTTON"},
   {}, {}},
  {Trade::kLogistics, {"Bonded Logistics", "Supply Chain", "Freight Services", "Cross-border E-commerce"},
   3, false, false, false, 9, "logistics",
   {}, {"LAPTOP-14", "PHONE-5G", "FRIDGE-DE", "FURNITURE-OAK", "BOOKS-PT", "INFANT-FORMULA",
        "SKINCARE-SERUM", "WINE-FR-BORDEAUX"},
   {}, {}},
  {Trade::kFoods, {"Fine Foods", "Confectionery", "Coffee Roasters", "Food Industries"},
   6, false, true, false, 10, "processing",
   {"HQ-CHOC-BAR", "HQ-COFFEE-250G"}, {}, {"PACKING-LINE"}, {}},
  {Trade::kOptics, {"Precision Optics", "Imaging Technology", "Broadcast Systems", "Photonics"},
   2, true, true, false, 10, "processing",
   {"HQ-CAM-4K"}, {}, {"CNC-5AX"}, {}},
  {Trade::kMedicine, {"Traditional Chinese Medicine", "Pharmaceutical", "Health Science", "Herbal Medicine"},
   6, false, true, false, 10, "processing",
   {"HQ-TCM-CAPSULE"}, {}, {"EXTRACTION-UNIT"}, {}},
  {Trade::kClinic, {"Medical Centre", "Healthcare", "Medical Technology", "Clinics"},
   4, false, false, false, 3, "own_use",
   {}, {}, {"ECG-12L", "FRIDGE-STAFF", "MED-SUPPLIES"}, {"HERBAL-CN"}},
  {Trade::kMotors, {"Motors", "Automobile Trading", "Yacht & Marine", "Premium Vehicles"},
   3, false, false, true, 2, "trade",
   {}, {"CAR-2L", "YACHT-12M"}, {}, {}},
};
// clang-format on
constexpr size_t kArchetypeCount = std::size(kArchetypes);

// Names that sound like Hengqin's but belong to no one.
constexpr std::string_view kMacaoPrefixes[] = {"Macao",        "Ou Mun",       "Lusophone", "Taipa",
                                               "Coloane",      "Nam Van",      "Senado",    "Penha",
                                               "Lotus Bridge", "Luso-Chinese", "Barra",     "Guia"};
constexpr std::string_view kMainlandWords[] = {"Ruixin",   "Haiyue",     "Tianmu", "Jinhai",
                                               "Yuanhang", "Qixing",     "Hongyu", "Lanqiao",
                                               "Boyuan",   "Zhongcheng", "Anlan",  "Xinhe"};
constexpr std::string_view kMainlandPlaces[] = {"Hengqin", "Zhuhai Hengqin", "Guangdong Hengqin"};

// GB 32100: the check character of the first 17 characters of a USCC
// (validate_uscc in core/identifiers.h checks it; we need to make one).
constexpr std::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
char uscc_check_character(std::string_view first17) {
  int64_t sum = 0, weight = 1;
  for (char c : first17) {
    sum += static_cast<int64_t>(kUsccAlphabet.find(c)) * weight;
    weight = weight * 3 % 31;
  }
  return kUsccAlphabet[static_cast<size_t>((31 - sum % 31) % 31)];
}

// ---- the model of the books -------------------------------------------------

// What an article is for in its holder's book, which decides where it may go.
enum class Use : uint8_t { kTrade, kInput, kOwnUse, kProduced };

struct Lot {
  Quantity balance;
  Money value, foreign, domestic;
};

struct Enterprise;

// One article in one enterprise's book (every lot of it has one status).
struct Holding {
  const Product* product = nullptr;
  std::string hs, unit, origin;  // hs and unit: the pack's tariff line
  GoodsStatus status = GoodsStatus::kBonded;
  Use use = Use::kTrade;
  std::deque<Lot> lots;
  Quantity balance;
  // Goods are unloaded, tallied and shelved (or packed) before they move on.
  int64_t ready_at = 0;           // second of the day
  bool came_by_transfer = false;  // bought from another zone enterprise: not sold on in the zone
  std::vector<const Enterprise*> suppliers;  // zone enterprises it came from: none gets it back
};

// Takes `quantity` (at most the balance) first in, first out, sharing each
// lot's value and contents out pro rata as the engine's DrawPlan does.
std::vector<Lot> take(Holding& h, Quantity quantity) {
  std::vector<Lot> portions;
  Quantity left = quantity;
  while (left.e4 > 0 && !h.lots.empty()) {
    Lot& lot = h.lots.front();
    Lot portion;
    portion.balance = std::min(left, lot.balance);
    portion.value = pro_rata(lot.value, portion.balance, lot.balance);
    portion.foreign = pro_rata(lot.foreign, portion.balance, lot.balance);
    portion.domestic = pro_rata(lot.domestic, portion.balance, lot.balance);
    lot.balance -= portion.balance;
    lot.value -= portion.value;
    lot.foreign -= portion.foreign;
    lot.domestic -= portion.domestic;
    if (lot.balance.e4 == 0) h.lots.pop_front();
    left -= portion.balance;
    portions.push_back(portion);
  }
  h.balance -= quantity;
  return portions;
}

// What take() would give, without taking it.
Lot peek(const Holding& h, Quantity quantity) {
  Holding copy = h;
  Lot total;
  for (const Lot& portion : take(copy, quantity)) {
    total.balance += portion.balance;
    total.value += portion.value;
    total.foreign += portion.foreign;
    total.domestic += portion.domestic;
  }
  return total;
}

void receive(Holding& h, Lot lot) {
  h.balance += lot.balance;
  h.lots.push_back(lot);
}

Quantity units(int64_t n) {
  return Quantity{n * kQuantityUnit};
}

using Book = std::map<std::string, Holding, std::less<>>;

struct Enterprise {
  DemoEnterprise demo;
  const Archetype* archetype = nullptr;
  const Recipe* recipe = nullptr;
  bool legal_person = true;
  bool duty_free_importer = false;
  std::string credit_grade = "general";
  std::string licence;  // its tobacco licence number, where it trades tobacco
  // What it brings in, limited to what the pack's tariff has.
  std::vector<const Product*> imports, own_use, domestic;
  Book book;
  bool counted = false;  // has had its stock-take today
};

// ---- the day's timetable ----------------------------------------------------

constexpr int64_t hm(int64_t hour, int64_t minute) {
  return hour * 3600 + minute * 60;
}

struct Segment {
  int64_t from, to;  // seconds of the local day
  int64_t weight;
};

// The port's rhythm: a slow start, a busy morning, a lunch lull, a busy
// afternoon and a quiet evening.
constexpr Segment kDeclarationHours[] = {{hm(7, 30), hm(8, 30), 3},   {hm(8, 30), hm(12, 0), 9},
                                         {hm(12, 0), hm(13, 30), 5},  {hm(13, 30), hm(17, 30), 9},
                                         {hm(17, 30), hm(19, 30), 5}, {hm(19, 30), hm(22, 30), 2}};
// Production runs in two shifts; warehouses count after closing.
constexpr Segment kProcessingHours[] = {{hm(9, 30), hm(12, 0), 1}, {hm(13, 0), hm(18, 30), 1}};
constexpr Segment kStocktakeHours[] = {{hm(18, 30), hm(21, 30), 1}};
constexpr int64_t kRatesAt = hm(6, 30);
constexpr int64_t kRegistrationsAt = hm(7, 0);

enum class SlotKind : uint8_t { kDeclaration, kProcess, kStocktake };
struct Slot {
  int64_t second;
  SlotKind kind;
};

// Mornings bring goods in, afternoons send them out: per-mille weights at
// 07:30 and at 22:30, in between in proportion to the time of day.
struct MovementMix {
  Movement movement;
  int64_t morning, evening;
};
constexpr MovementMix kMix[] = {
    {Movement::kFirstLineEntry, 560, 220}, {Movement::kSecondLineEntry, 180, 60},
    {Movement::kSecondLineExit, 60, 440},  {Movement::kTransfer, 60, 60},
    {Movement::kFirstLineExit, 50, 100},   {Movement::kSaleToIndividual, 30, 90},
};

// The deliberate mistakes, in turn.
enum class Flaw : uint8_t { kWrongCheckCharacter, kUnknownHsCode, kWrongUnit, kTooMuch };
constexpr int kFlawCount = 4;

// HS codes that are real but not in the sample tariff: what a clerk might type.
constexpr std::string_view kCodesNotInTariff[] = {"84719000", "85176299", "22089090",
                                                  "61102000", "94016100", "33041000"};

// ---- declarations -----------------------------------------------------------

struct Fx {
  const Currency* currency = nullptr;
  Rate cny_per_unit;
};

struct Line {
  const Product* product = nullptr;
  Holding* from = nullptr;  // the declarant's holding it leaves (all but entries)
  Use use = Use::kTrade;    // entries: what it is for in the book
  std::string hs, unit, origin;
  Quantity quantity;
  int64_t value_minor = 0;  // in the declaration's currency
};

struct Draft {
  int64_t second = 0;
  Movement movement = Movement::kFirstLineEntry;
  std::string_view purpose;
  Enterprise* declarant = nullptr;
  Enterprise* counterparty = nullptr;
  const Fx* fx = nullptr;
  std::string channel;
  std::vector<Line> lines;
};

// A stock an exit, transfer or sale could draw on.
struct Stock {
  Enterprise* owner;
  Holding* holding;
};

}  // namespace

// The zone's model: its enterprises, their books, and the day being made.
class DemoZone::Builder {
 public:
  Builder(const PolicyPack& pack, const DemoOptions& options)
      : pack_(pack), options_(options), day_date_(options.day), rng_(options.seed) {}

  // The next day: the first is options.day. The zone's enterprises and
  // their books carry over from the day before.
  DemoDay next_day() {
    start_day();
    const size_t registered = enterprises_.size();
    if (days_ == 1) {
      make_enterprises();
    } else if (rng_.below(100) <
               static_cast<uint64_t>(std::max(options_.joining_per_100_days, 0))) {
      join_enterprise();
    }
    if (policy_ != nullptr) exchange_rates();
    register_enterprises(registered);
    for (const Enterprise& e : enterprises_) day_.enterprises.push_back(e.demo);
    if (policy_ == nullptr || enterprises_.empty()) return std::move(day_);
    const std::vector<Slot> slots = timetable();
    const std::set<int64_t> flawed = flawed_declarations();
    int64_t declaration = 0;
    for (const Slot& slot : slots) {
      now_ = slot.second;
      switch (slot.kind) {
        case SlotKind::kDeclaration:
          if (flawed.count(declaration) != 0) {
            deliberate_error(slot.second);
          } else {
            declare(slot.second);
          }
          ++declaration;
          break;
        case SlotKind::kProcess: processing_run(slot.second); break;
        case SlotKind::kStocktake: stocktake(slot.second); break;
      }
    }
    return std::move(day_);
  }

 private:
  // ---- set-up ----

  // A new day: its date, policy and currencies; last night's goods are all
  // shelved, and every warehouse may count again.
  void start_day() {
    if (days_++ > 0) day_date_ = civil_from_days(days_from_civil(day_date_) + 1);
    policy_ = pack_.in_force(day_date_);
    day_start_ = days_from_civil(day_date_) * 86'400 - int64_t{pack_.utc_offset_minutes} * 60;
    fx_.clear();
    day_ = DemoDay{};
    next_id_ = 0;
    produced_exits_ = 0;
    now_ = 0;
    for (Enterprise& e : enterprises_) {
      e.counted = false;
      for (auto& [item, h] : e.book) h.ready_at = 0;
    }
  }

  void make_enterprises() {
    const size_t n = static_cast<size_t>(std::max(options_.enterprises, 0));
    enterprises_.resize(n);
    std::array<int64_t, kArchetypeCount> made{};
    for (size_t i = 0; i < n; ++i) {
      Enterprise& e = enterprises_[i];
      const Archetype& a = kArchetypes[i % kArchetypeCount];
      const int64_t ordinal = made[i % kArchetypeCount]++;
      e.archetype = &a;
      e.demo.high_tech = a.high_tech;
      e.legal_person = !(a.trade == Trade::kLogistics && ordinal % 2 == 1);  // a branch office
      e.duty_free_importer = a.own_use[0].empty() ? false : rng_.percent(85);
      choose_goods(e, ordinal);
      e.demo.uscc = new_uscc();
    }
    choose_macao_funded();
    for (Enterprise& e : enterprises_) e.demo.name = make_name(e, names_);
    choose_credit_grades();
  }

  // A new enterprise sets up in the zone (one every few days): of any trade,
  // Macao-funded about as often as its trade's capital comes from Macao.
  void join_enterprise() {
    Enterprise& e = enterprises_.emplace_back();
    const size_t kind = rng_.index(kArchetypeCount);
    const Archetype& a = kArchetypes[kind];
    e.archetype = &a;
    e.demo.high_tech = a.high_tech;
    e.legal_person = !(a.trade == Trade::kLogistics && rng_.percent(50));
    e.duty_free_importer = a.own_use[0].empty() ? false : rng_.percent(85);
    choose_goods(e, static_cast<int64_t>(rng_.below(3)));
    e.demo.uscc = new_uscc();
    e.demo.macao_funded =
        rng_.below(12) < static_cast<uint64_t>(std::min<int64_t>(a.macao_weight, 12));
    e.demo.name = make_name(e, names_);
  }

  std::string new_uscc() {
    std::string uscc;
    do {
      uscc = make_uscc();
    } while (!usccs_.insert(uscc).second);
    return uscc;
  }

  bool usable(const Product& p) const {
    if (policy_ == nullptr) return false;
    const TariffLine* line = policy_->tariff.find(p.hs);
    return line != nullptr && !policy_->prohibited.contains(line->hs);
  }

  // What the enterprise deals in, as far as the pack's tariff has it.
  void choose_goods(Enterprise& e, int64_t ordinal) {
    const Archetype& a = *e.archetype;
    size_t recipes = 0;
    while (recipes < a.recipes.size() && !a.recipes[recipes].empty()) ++recipes;
    if (recipes > 0) {
      const Recipe* r = recipe_of(a.recipes[static_cast<size_t>(ordinal) % recipes]);
      if (r != nullptr && recipe_usable(*r)) e.recipe = r;
    }
    const auto add = [&](std::vector<const Product*>& to, std::string_view item) {
      if (item.empty()) return;
      const Product& p = product(item);
      if (usable(p) && std::find(to.begin(), to.end(), &p) == to.end()) to.push_back(&p);
    };
    for (std::string_view item : a.imports) add(e.imports, item);
    for (std::string_view item : a.own_use) add(e.own_use, item);
    for (std::string_view item : a.domestic) add(e.domestic, item);
    if (e.recipe != nullptr) {
      for (const RecipeInput& in : e.recipe->inputs) {
        for (std::string_view item : in.items) {
          if (item.empty()) continue;
          const Source source = product(item).source;
          if (source == Source::kForeign) add(e.imports, item);
          if (source == Source::kMainland) add(e.domestic, item);
        }
      }
    }
  }

  bool recipe_usable(const Recipe& r) const {
    if (!usable(product(r.output))) return false;
    for (const RecipeInput& in : r.inputs) {
      if (in.per_batch == 0) continue;
      bool any = false;
      for (std::string_view item : in.items) any = any || (!item.empty() && usable(product(item)));
      if (!any) return false;
    }
    return r.loss_item.empty() || usable(product(r.loss_item));
  }

  // Zhuhai's registration authority (9 industry and commerce, 1 enterprise,
  // 440400 Zhuhai), an organisation code of the "MA5..." series Hengqin's
  // newer companies get, and the check character.
  std::string make_uscc() {
    std::string code = "91440400MA5";
    for (int i = 0; i < 6; ++i) code += kUsccAlphabet[rng_.index(kUsccAlphabet.size())];
    code += uscc_check_character(code);
    if (!validate_uscc(code).is_ok()) std::abort();  // the check character above is wrong
    return code;
  }

  // A third of the enterprises, drawn in proportion to how often Macao
  // capital is behind that trade (wine, food, medicine, luxury goods most).
  void choose_macao_funded() {
    const size_t n = enterprises_.size();
    std::vector<std::pair<int64_t, size_t>> keys;
    for (size_t i = 0; i < n; ++i) {
      keys.emplace_back(-enterprises_[i].archetype->macao_weight * rng_.between(1, 1000),
                        i);  // sorts first
    }
    std::sort(keys.begin(), keys.end());
    for (size_t k = 0; k < (n + 1) / 3; ++k) enterprises_[keys[k].second].demo.macao_funded = true;
  }

  std::string make_name(const Enterprise& e, std::set<std::string>& names) {
    const Archetype& a = *e.archetype;
    for (int attempt = 0;; ++attempt) {
      const std::string core(a.cores[rng_.index(a.cores.size())]);
      const std::string prefix(kMacaoPrefixes[rng_.index(std::size(kMacaoPrefixes))]);
      const std::string word(kMainlandWords[rng_.index(std::size(kMainlandWords))]);
      const std::string place(kMainlandPlaces[rng_.index(std::size(kMainlandPlaces))]);
      std::string name;
      if (!e.legal_person) {
        // The zone office of a company registered elsewhere: not a legal
        // person of its own (so the 30 % rule would not be its to claim).
        name = (e.demo.macao_funded ? prefix : "Shenzhen " + word) + " " + core +
               " Co., Ltd. Hengqin Branch";
      } else if (e.demo.macao_funded) {
        switch (rng_.below(3)) {
          case 0: name = prefix + " " + core + " (Hengqin) Co., Ltd."; break;
          case 1: name = "Hengqin " + prefix + " " + core + " Co., Ltd."; break;
          default: name = prefix + " " + core + " (Hengqin) Limited"; break;
        }
      } else {
        name = rng_.percent(70) ? place + " " + word + " " + core + " Co., Ltd."
                                : place + " " + core + " Co., Ltd.";
      }
      if (attempt >= 20) name += " (" + std::to_string(attempt) + ")";
      if (names.insert(name).second) return name;
    }
  }

  // Mostly general; about one in nine advanced-certified; one or two dishonest.
  void choose_credit_grades() {
    const size_t n = enterprises_.size();
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng_.index(i)]);
    const size_t dishonest = n >= 24 ? 2 : (n >= 3 ? 1 : 0);
    const size_t advanced = n / 9;
    for (size_t k = 0; k < n; ++k) {
      Enterprise& e = enterprises_[order[k]];
      if (k < dishonest) {
        e.credit_grade = "dishonest";
      } else if (k < dishonest + advanced) {
        e.credit_grade = "advanced";
      }
    }
  }

  // Registers the enterprises from `first` on (the first day: all of them).
  void register_enterprises(size_t first) {
    const int64_t n = static_cast<int64_t>(enterprises_.size() - first);
    const int64_t spacing = n == 0 ? 30 : std::clamp<int64_t>(1'500 / n, 1, 30);
    for (int64_t i = 0; i < n; ++i) {
      const Enterprise& e = enterprises_[first + static_cast<size_t>(i)];
      std::string json;
      JsonWriter w(json);
      begin_command(w, "register_enterprise", kRegistrationsAt + i * spacing);
      w.field("uscc", e.demo.uscc).field("name", e.demo.name);
      w.field_bool("legal_person", e.legal_person).field_bool("registered_in_zone", true);
      w.field_bool("macao_funded", e.demo.macao_funded);
      w.field_bool("duty_free_importer", e.duty_free_importer);
      w.field_bool("encouraged_industry", e.archetype->encouraged);
      w.field_bool("high_tech", e.demo.high_tech).field("credit_grade", e.credit_grade);
      w.end_object();
      day_.commands.push_back(std::move(json));
    }
  }

  // The currencies of Macao's trade. One the pack has no rate for in the
  // day's month gets a set_rate carrying its latest rate of the past year
  // over (as customs would publish one); without any, it is not used.
  void exchange_rates() {
    fx_.emplace("CNY", Fx{find_currency("CNY"), Rate{kPpmPerUnit}});
    const Month month = month_of(day_date_);
    int64_t second = kRatesAt;
    for (std::string_view code : {"MOP", "HKD", "USD", "EUR", "JPY"}) {
      const Currency* currency = find_currency(code);
      // A rate we set earlier in the month first, as the engine reads a
      // zone's set_rate before the pack's.
      const std::string set_key = std::string(code) + " " + format_month(month);
      if (auto set = rates_set_.find(set_key); set != rates_set_.end()) {
        fx_.emplace(code, Fx{currency, set->second});
        continue;
      }
      if (auto rate = policy_->exchange_rates.find(code, month)) {
        fx_.emplace(code, Fx{currency, *rate});
        continue;
      }
      Month earlier = month;
      for (int back = 0; back < 12; ++back) {
        earlier = earlier.month == 1 ? Month{earlier.year - 1, 12}
                                     : Month{earlier.year, earlier.month - 1};
        if (auto rate = policy_->exchange_rates.find(code, earlier)) {
          std::string json;
          JsonWriter w(json);
          begin_command(w, "set_rate", second++);
          w.field("currency", code).field("month", format_month(month));
          w.field("cny_per_unit", format_fixed_trimmed(rate->ppm, kRateScale, 4));
          w.end_object();
          day_.commands.push_back(std::move(json));
          fx_.emplace(code, Fx{currency, *rate});
          rates_set_.emplace(set_key, *rate);
          break;
        }
      }
    }
  }

  // Every event's time, in order: declarations, processing runs and
  // stock-takes, each spread over its own hours.
  std::vector<Slot> timetable() {
    const int64_t declarations = std::max(options_.declarations, 0);
    bool any_recipe = false;
    for (const Enterprise& e : enterprises_) any_recipe = any_recipe || e.recipe != nullptr;
    // About one run per dozen declarations and a stock-take per 150, as a
    // zone of a few dozen firms would see.
    const int64_t runs = any_recipe ? declarations / 12 : 0;
    const int64_t counts = declarations > 0 ? std::max<int64_t>(1, declarations / 150) : 0;
    std::vector<Slot> slots;
    spread(kDeclarationHours, declarations, SlotKind::kDeclaration, slots);
    spread(kProcessingHours, runs, SlotKind::kProcess, slots);
    spread(kStocktakeHours, counts, SlotKind::kStocktake, slots);
    std::stable_sort(slots.begin(), slots.end(), [](const Slot& a, const Slot& b) {
      return a.second != b.second ? a.second < b.second : a.kind < b.kind;
    });
    // One event a second at most, where the day has room.
    for (size_t i = 1; i < slots.size(); ++i) {
      if (slots[i].second <= slots[i - 1].second && slots[i - 1].second < hm(23, 59)) {
        slots[i].second = slots[i - 1].second + 1;
      }
    }
    return slots;
  }

  // `count` times drawn from the segments' weights, one in each count-th of
  // their mass (stratified), so they come out in order.
  template <size_t N>
  void spread(const Segment (&segments)[N], int64_t count, SlotKind kind, std::vector<Slot>& out) {
    int64_t mass = 0;
    for (const Segment& s : segments) mass += (s.to - s.from) * s.weight;
    for (int64_t i = 0; i < count; ++i) {
      int64_t target =
          (i * mass + static_cast<int64_t>(rng_.below(static_cast<uint64_t>(mass)))) / count;
      for (const Segment& s : segments) {
        const int64_t here = (s.to - s.from) * s.weight;
        if (target < here) {
          out.push_back(Slot{s.from + target / s.weight, kind});
          break;
        }
        target -= here;
      }
    }
  }

  // Which declarations (by their order in the day) are the clerks' mistakes:
  // none in the first tenth, so there is stock to get wrong.
  std::set<int64_t> flawed_declarations() {
    const int64_t n = std::max(options_.declarations, 0);
    const int64_t first = n / 10;
    const int64_t wanted =
        std::min((n * std::max(options_.bad_per_thousand, 0) + 500) / 1000, n - first);
    std::set<int64_t> flawed;
    while (static_cast<int64_t>(flawed.size()) < wanted) flawed.insert(rng_.between(first, n - 1));
    next_flaw_ = static_cast<int>(rng_.below(kFlawCount));
    return flawed;
  }

  // ---- writing commands ----

  std::string at(int64_t second) const {
    return format_rfc3339(Timestamp{day_start_ + second, pack_.utc_offset_minutes});
  }

  void begin_command(JsonWriter& w, std::string_view type, int64_t second) {
    char id[64];
    // The day in every id, so the days of a run never share one.
    std::snprintf(id, sizeof id, "demo-%04d%02d%02d%s-%04d", day_date_.year, day_date_.month,
                  day_date_.day, options_.id_tag.c_str(), ++next_id_);
    w.begin_object().field("type", type).field("id", id).field("at", at(second));
  }

  std::string declaration_json(const Draft& d, std::string_view declarant_uscc) {
    std::string json;
    JsonWriter w(json);
    begin_command(w, "declare", d.second);
    w.field("movement", movement_name(d.movement)).field("declarant", declarant_uscc);
    if (d.counterparty != nullptr) w.field("counterparty", d.counterparty->demo.uscc);
    w.field("purpose", d.purpose).field("currency", d.fx->currency->code);
    if (!d.channel.empty()) w.field("channel", d.channel);
    if (movement_line(d.movement) != 0) {
      // Gross weight, packing included, give or take a pallet.
      int64_t grams = 0;
      for (const Line& line : d.lines) grams += line.quantity.e4 * line.product->gross_g / 10'000;
      grams = grams * rng_.between(100, 108) / 100;
      w.key("gross_kg").string(format_fixed(std::max<int64_t>(grams / 100, 1), 1));
    }
    w.key("items").begin_array();
    for (const Line& line : d.lines) {
      w.begin_object();
      w.field("item", line.product->item).field("hs", line.hs);
      w.field("description", line.product->description).field("origin", line.origin);
      w.field("quantity", format_quantity(line.quantity)).field("unit", line.unit);
      w.key("value").fixed_string(line.value_minor, d.fx->currency->minor_digits);
      if (movement_line(d.movement) == 1 && policy_->licence_required.contains(line.hs)) {
        w.field("licence", licence_of(*d.declarant));
      }
      w.end_object();
    }
    w.end_array().end_object();
    return json;
  }

  const std::string& licence_of(Enterprise& e) {
    if (e.licence.empty()) {
      char number[40];
      std::snprintf(number, sizeof number, "YC-440400-2024-%05d",
                    static_cast<int>(rng_.between(1, 99'999)));
      e.licence = number;
    }
    return e.licence;
  }

  // Writes a declaration and posts it to the model books.
  void commit(const Draft& d) {
    day_.commands.push_back(declaration_json(d, d.declarant->demo.uscc));
    for (const Line& line : d.lines) {
      post(d, line);
      if (line.from != nullptr) rest(*line.from, d);
    }
  }

  void post(const Draft& d, const Line& line) {
    switch (d.movement) {
      case Movement::kFirstLineEntry:
      case Movement::kSecondLineEntry: {
        const GoodsStatus status = d.movement == Movement::kSecondLineEntry
                                       ? GoodsStatus::kDomestic
                                       : first_line_status(*d.declarant, line.hs, d.purpose);
        Holding& h = holding(*d.declarant, *line.product, status, line.use, line.origin, d.second);
        Lot lot{line.quantity,
                convert_to_cny(line.value_minor, d.fx->currency->minor_digits, d.fx->cny_per_unit),
                Money{}, Money{}};
        (is_untaxed_foreign(status) ? lot.foreign : lot.domestic) = lot.value;
        receive(h, lot);
        return;
      }
      case Movement::kTransfer: {
        // The receiving book gets the same lots, status and contents.
        const Holding& from = *line.from;
        const Use use = receiver_use(*d.counterparty, *from.product, from.use);
        const bool fresh = !d.counterparty->book.contains(from.product->item);
        std::vector<Lot> portions = take(*line.from, line.quantity);
        Holding& to =
            holding(*d.counterparty, *from.product, from.status, use, from.origin, d.second);
        if (fresh) to.came_by_transfer = true;
        if (std::find(to.suppliers.begin(), to.suppliers.end(), d.declarant) == to.suppliers.end())
          to.suppliers.push_back(d.declarant);
        for (const Lot& portion : portions) receive(to, portion);
        return;
      }
      case Movement::kSecondLineExit:
      case Movement::kFirstLineExit:
      case Movement::kSaleToIndividual: take(*line.from, line.quantity); return;
    }
  }

  // After a consignment leaves a stock, the next one from it takes a while
  // to pick, pack and clear (a shop serves its next customer sooner).
  void rest(Holding& h, const Draft& d) {
    const bool shop = d.movement == Movement::kSaleToIndividual;
    h.ready_at =
        std::max(h.ready_at, d.second + 60 * (shop ? rng_.between(5, 20) : rng_.between(20, 75)));
  }

  // The engine's first-line treatment, as far as the book needs it.
  GoodsStatus first_line_status(const Enterprise& e, std::string_view hs,
                                std::string_view purpose) const {
    const bool approved = e.duty_free_importer || !policy_->exempt_requires_approved_importer;
    const bool purpose_ok =
        std::find(policy_->exempt_purposes.begin(), policy_->exempt_purposes.end(), purpose) !=
        policy_->exempt_purposes.end();
    if (policy_->first_line_model == FirstLineModel::kPositiveList) {
      return policy_->first_line_exempt.contains(hs) && approved && purpose_ok
                 ? GoodsStatus::kExempt
                 : GoodsStatus::kBonded;
    }
    return !policy_->first_line_taxable.contains(hs) && approved && purpose_ok
               ? GoodsStatus::kExempt
               : GoodsStatus::kPaid;
  }

  Holding& holding(Enterprise& e, const Product& p, GoodsStatus status, Use use,
                   std::string_view origin, int64_t second) {
    auto [it, inserted] = e.book.try_emplace(std::string(p.item));
    Holding& h = it->second;
    if (inserted) {
      h.ready_at = second + 60 * rng_.between(20, 90);
      const TariffLine* line = policy_->tariff.find(p.hs);
      h.product = &p;
      h.hs = line->hs;
      h.unit = line->unit;
      h.origin = std::string(origin);
      h.status = status;
      h.use = use;
    }
    return h;
  }

  // A part the receiver's recipe takes is an input there, whatever it was before.
  static Use receiver_use(const Enterprise& to, const Product& p, Use was) {
    if (to.recipe != nullptr) {
      for (const RecipeInput& in : to.recipe->inputs) {
        for (std::string_view item : in.items) {
          if (item == p.item) return Use::kInput;
        }
      }
    }
    return was;
  }

  // A line the enterprise brings in: the unit's price drawn from the
  // product's range, converted to the invoice currency.
  Line incoming(const Product& p, std::string origin, Quantity quantity, Use use, const Fx& fx) {
    Line line;
    line.product = &p;
    line.use = use;
    const TariffLine* tariff = policy_->tariff.find(p.hs);
    line.hs = tariff->hs;
    line.unit = tariff->unit;
    line.origin = std::move(origin);
    line.quantity = quantity;
    const int64_t unit_minor =
        std::max<int64_t>(1, to_minor(Money{rng_.between(p.fen_min, p.fen_max)}, fx));
    line.value_minor = div_round_half_up(int128{unit_minor} * quantity.e4, kQuantityUnit);
    return line;
  }

  // A line leaving the enterprise's holding, at `value` (CNY).
  Line outgoing(Holding& h, Quantity quantity, Money value, const Fx& fx) {
    Line line;
    line.product = h.product;
    line.from = &h;
    line.use = h.use;
    line.hs = h.hs;
    line.unit = h.unit;
    line.origin = h.origin;
    line.quantity = quantity;
    line.value_minor = std::max<int64_t>(1, to_minor(value, fx));
    return line;
  }

  // Where the enterprise's goods of this kind come from: the same supplier
  // as before, or a new one.
  std::string origin_of(const Enterprise& e, const Product& p) {
    auto it = e.book.find(p.item);
    return it != e.book.end() ? it->second.origin : std::string(pick_origin(p));
  }

  std::string_view pick_origin(const Product& p) {
    size_t n = 0;
    while (n < p.origins.size() && !p.origins[n].empty()) ++n;
    return p.origins[rng_.index(n)];
  }

  // CNY in the currency's minor units, rounded half up.
  static int64_t to_minor(Money cny, const Fx& fx) {
    int128 scale = 1;
    for (int i = 0; i < fx.currency->minor_digits; ++i) scale *= 10;
    return div_round_half_up(int128{cny.fen} * kPpmPerUnit * scale,
                             int128{fx.cny_per_unit.ppm} * kFenPerYuan);
  }

  // Invoice currencies. Goods come through Macao traders: patacas and Hong
  // Kong dollars are usual, US dollars for electronics and commodities, euros
  // for European goods, yen for Japanese ones; some invoices are in yuan.
  const Fx& currency_for_import(std::string_view origin) {
    static constexpr std::string_view kEurope[] = {"PT", "FR", "DE", "IT", "ES", "NL",
                                                   "BE", "CH", "DK", "IE", "GB"};
    const bool europe =
        std::find(std::begin(kEurope), std::end(kEurope), origin) != std::end(kEurope);
    return pick_currency({{"MOP", 30},
                          {"HKD", 25},
                          {"USD", 20},
                          {"CNY", 10},
                          {"EUR", europe ? 30 : 2},
                          {"JPY", origin == "JP" ? 30 : 0}});
  }
  const Fx& currency_for_macao_buyer() {
    return pick_currency({{"MOP", 35}, {"HKD", 35}, {"USD", 20}, {"CNY", 10}});
  }
  const Fx& currency_for_mainland_buyer() {
    return pick_currency({{"CNY", 88}, {"HKD", 8}, {"USD", 4}});
  }
  const Fx& pick_currency(std::initializer_list<std::pair<std::string_view, int64_t>> choices) {
    int64_t total = 0;
    for (const auto& [code, weight] : choices) total += fx_.count(code) != 0 ? weight : 0;
    if (total > 0) {
      int64_t r = static_cast<int64_t>(rng_.below(static_cast<uint64_t>(total)));
      for (const auto& [code, weight] : choices) {
        if (fx_.count(code) == 0) continue;
        if (r < weight) return fx_.at(code);
        r -= weight;
      }
    }
    return fx_.at("CNY");
  }

  // A cargo channel of the pack on `line` for `direction`; empty for one in
  // ten declarations (the channel is optional, and some clerks leave it out).
  std::string channel(int line, std::string_view direction) {
    std::vector<const Channel*> fitting;
    for (const Channel& c : policy_->channels) {
      const bool cargo = std::find(c.kinds.begin(), c.kinds.end(), "cargo") != c.kinds.end();
      const bool way =
          std::find(c.directions.begin(), c.directions.end(), direction) != c.directions.end();
      if (c.line == line && cargo && way) fitting.push_back(&c);
    }
    if (fitting.empty() || rng_.percent(10)) return "";
    return fitting[rng_.index(fitting.size())]->id;
  }

  template <class Weight>
  Enterprise* pick_enterprise(Weight weight) {
    int64_t total = 0;
    for (Enterprise& e : enterprises_) total += weight(e);
    if (total <= 0) return nullptr;
    int64_t r = static_cast<int64_t>(rng_.below(static_cast<uint64_t>(total)));
    for (Enterprise& e : enterprises_) {
      if (r < weight(e)) return &e;
      r -= weight(e);
    }
    return nullptr;
  }

  const Product* pick_product(const std::vector<const Product*>& products,
                              const std::vector<const Product*>& except = {}) {
    int64_t total = 0;
    for (const Product* p : products) {
      if (std::find(except.begin(), except.end(), p) == except.end()) total += p->popularity;
    }
    if (total <= 0) return nullptr;
    int64_t r = static_cast<int64_t>(rng_.below(static_cast<uint64_t>(total)));
    for (const Product* p : products) {
      if (std::find(except.begin(), except.end(), p) != except.end()) continue;
      if (r < p->popularity) return p;
      r -= p->popularity;
    }
    return nullptr;
  }

  template <class Pred>
  std::vector<Stock> stock_where(Pred pred) {
    std::vector<Stock> found;
    for (Enterprise& e : enterprises_) {
      for (auto& [item, h] : e.book) {
        if (h.balance.e4 > 0 && h.ready_at <= now_ && pred(e, h)) found.push_back(Stock{&e, &h});
      }
    }
    return found;
  }

  // At least one whole step of it left: what remains below that (a few
  // bottles, half a reel) waits for a shop sale or the stock-take.
  static bool movable(const Holding& h) {
    return h.balance.e4 >= h.product->lot_step * kQuantityUnit;
  }
  // Zone-made goods, ready to leave or to go to the next maker.
  static bool produced_goods(const Enterprise&, const Holding& h) {
    return h.status == GoodsStatus::kProduced && h.use == Use::kProduced && movable(h);
  }
  // Goods a trader brought in bonded, to sell on.
  static bool bonded_trade_goods(const Enterprise&, const Holding& h) {
    return h.status == GoodsStatus::kBonded && h.use == Use::kTrade && movable(h);
  }

  // Between lo % and hi % of what the book holds, in whole `step`s, at least
  // one step and never more than the balance.
  Quantity part_of(Quantity balance, int64_t lo, int64_t hi, Quantity step) {
    int64_t q = balance.e4 * rng_.between(lo, hi) / 100;
    q -= q % step.e4;
    return Quantity{std::min(std::max(q, step.e4), balance.e4)};
  }

  // `cost` marked up by lo..hi per cent (a price set by the market).
  Money marked_up(Money cost, int64_t lo, int64_t hi) {
    return Money{div_round_half_up(int128{cost.fen} * rng_.between(lo * 10, hi * 10), 1000)};
  }

  // ---- the day ----

  void declare(int64_t second) {
    // Per-mille weights between morning and evening, by the time of day.
    const int64_t span =
        kDeclarationHours[std::size(kDeclarationHours) - 1].to - kDeclarationHours[0].from;
    const int64_t elapsed = std::clamp<int64_t>(second - kDeclarationHours[0].from, 0, span);
    const auto weight = [&](const MovementMix& m) {
      return m.morning + (m.evening - m.morning) * elapsed / span;
    };
    const size_t pick = rng_.weighted({weight(kMix[0]), weight(kMix[1]), weight(kMix[2]),
                                       weight(kMix[3]), weight(kMix[4]), weight(kMix[5])});
    std::optional<Draft> d;
    switch (pick < std::size(kMix) ? kMix[pick].movement : Movement::kFirstLineEntry) {
      case Movement::kFirstLineEntry: break;
      case Movement::kSecondLineEntry: d = second_line_entry(second); break;
      case Movement::kSecondLineExit: d = second_line_exit(second); break;
      case Movement::kTransfer: d = transfer(second); break;
      case Movement::kFirstLineExit: d = first_line_exit(second); break;
      case Movement::kSaleToIndividual: d = sale_to_individual(second); break;
    }
    // Whatever cannot happen yet (nothing in stock) gives way to an arrival.
    if (!d) d = first_line_entry(second);
    if (!d) return;
    if (d->movement == Movement::kSecondLineExit) undervalue(*d);
    commit(*d);
  }

  // Now and then trade goods leave for the mainland declared at a tenth to
  // under a third of their price, to pay less duty and VAT: a dishonest enterprise
  // one time in four, others rarely (options.undervalued_per_thousand). The
  // books are not touched by it (what leaves is drawn at its own value), so
  // the model stays true; DemoDay::undervalued marks it for the risk lanes.
  void undervalue(Draft& d) {
    const bool dishonest = d.declarant->credit_grade == "dishonest";
    if (!(dishonest ? rng_.percent(25)
                    : rng_.below(1000) <
                          static_cast<uint64_t>(std::max(options_.undervalued_per_thousand, 0)))) {
      return;
    }
    bool any = false;
    for (Line& line : d.lines) {
      if (line.from == nullptr || line.from->use != Use::kTrade) continue;
      line.value_minor = std::max<int64_t>(1, line.value_minor * rng_.between(10, 30) / 100);
      any = true;
    }
    if (any) day_.undervalued.push_back(day_.commands.size());
  }

  // From Macao: processing inputs, equipment and materials for own use
  // (exempt where the list and the importer allow), trade goods (bonded).
  std::optional<Draft> first_line_entry(int64_t second) {
    Enterprise* e = pick_enterprise([](const Enterprise& x) {
      return x.imports.empty() && x.own_use.empty() ? 0 : x.archetype->entry_weight;
    });
    if (e == nullptr) return std::nullopt;
    Draft d;
    d.second = second;
    d.movement = Movement::kFirstLineEntry;
    d.declarant = e;
    d.channel = channel(1, "in");
    // Processors buy machines now and then; builders and clinics bring in
    // only what they use.
    if (!e->own_use.empty() && (e->imports.empty() || rng_.percent(8))) {
      d.purpose = "own_use";
      const Product& p = *pick_product(e->own_use);
      std::string origin = origin_of(*e, p);
      d.fx = &currency_for_import(origin);
      d.lines.push_back(incoming(p, std::move(origin), shipment(p), Use::kOwnUse, *d.fx));
    } else if (e->recipe != nullptr) {
      d.purpose = "processing";
      const std::vector<const Product*> needed = inputs_to_order(*e, Source::kForeign);
      if (needed.empty()) return std::nullopt;
      d.fx = &currency_for_import(origin_of(*e, *needed.front()));
      for (const Product* p : needed) {
        d.lines.push_back(incoming(*p, origin_of(*e, *p), batch_order(*e, *p), Use::kInput, *d.fx));
      }
    } else {
      d.purpose = e->archetype->purpose;
      // A consignment of one to three articles, from one supplier.
      const int64_t articles =
          std::min<int64_t>(static_cast<int64_t>(rng_.weighted({60, 30, 10})) + 1,
                            static_cast<int64_t>(e->imports.size()));
      std::vector<const Product*> chosen;
      for (int64_t k = 0; k < articles; ++k) chosen.push_back(pick_product(e->imports, chosen));
      std::vector<std::string> origins;
      for (const Product* p : chosen) origins.push_back(origin_of(*e, *p));
      d.fx = &currency_for_import(origins.front());
      for (size_t k = 0; k < chosen.size(); ++k) {
        d.lines.push_back(
            incoming(*chosen[k], origins[k], shipment(*chosen[k]), Use::kTrade, *d.fx));
      }
    }
    return d;
  }

  // One shipment of a product, in its usual range.
  Quantity shipment(const Product& p) {
    const int64_t steps = (p.lot_max - p.lot_min) / p.lot_step;
    return units(p.lot_min + p.lot_step * rng_.between(0, steps));
  }

  // The recipe's inputs (of one source) that the book covers for the fewest
  // batches: what a planner would order next.
  std::vector<const Product*> inputs_to_order(const Enterprise& e, Source source) {
    std::vector<std::pair<int64_t, const Product*>> cover;
    for (const RecipeInput& in : e.recipe->inputs) {
      if (in.per_batch == 0) continue;
      for (std::string_view item : in.items) {
        if (item.empty()) continue;
        const Product& p = product(item);
        if (p.source != source || !usable(p)) continue;
        auto it = e.book.find(item);
        const int64_t held = it == e.book.end() ? 0 : it->second.balance.e4;
        cover.emplace_back(held / (need_per_batch(*e.recipe, item) * kQuantityUnit), &p);
      }
    }
    std::stable_sort(cover.begin(), cover.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<const Product*> out;
    for (const auto& [batches, p] : cover) {
      if (out.empty() || batches < 3) out.push_back(p);
    }
    return out;
  }

  // Units of `item` one batch consumes, inputs and losses together.
  static int64_t need_per_batch(const Recipe& r, std::string_view item) {
    int64_t need = r.loss_item == item ? r.loss_per_batch : 0;
    for (const RecipeInput& in : r.inputs) {
      if (in.per_batch > 0 && std::find(in.items.begin(), in.items.end(), item) != in.items.end())
        need += in.per_batch;
    }
    return need;
  }

  // Enough for four to twelve batches: a week or two of production.
  Quantity batch_order(const Enterprise& e, const Product& p) {
    return units(need_per_batch(*e.recipe, p.item) * rng_.between(4, 12));
  }

  // From the mainland: processing inputs, building materials, goods for the
  // zone's shops. Invoiced in yuan; the VAT refund is the engine's to work out.
  std::optional<Draft> second_line_entry(int64_t second) {
    Enterprise* e = pick_enterprise([](const Enterprise& x) -> int64_t {
      if (x.domestic.empty()) return 0;
      return x.recipe != nullptr ? 10 : (x.archetype->trade == Trade::kConstruction ? 6 : 2);
    });
    if (e == nullptr) return std::nullopt;
    Draft d;
    d.second = second;
    d.movement = Movement::kSecondLineEntry;
    d.declarant = e;
    d.fx = &fx_.at("CNY");
    d.channel = channel(2, "in");
    if (e->recipe != nullptr) {
      d.purpose = "processing";
      const std::vector<const Product*> needed = inputs_to_order(*e, Source::kMainland);
      if (needed.empty()) return std::nullopt;
      for (const Product* p : needed) {
        d.lines.push_back(incoming(*p, "CN", batch_order(*e, *p), Use::kInput, *d.fx));
      }
    } else {
      const bool own = e->archetype->purpose == "own_use";
      d.purpose = own ? "own_use" : "trade";
      const Product& p = *pick_product(e->domestic);
      d.lines.push_back(incoming(p, "CN", shipment(p), own ? Use::kOwnUse : Use::kTrade, *d.fx));
    }
    return d;
  }

  // To the mainland: goods made in the zone (priced above or below the 30 %
  // rule), bonded trade goods (paying their taxes), and now and then
  // surplus building materials going back to their supplier.
  std::optional<Draft> second_line_exit(int64_t second, bool trade_goods_only = false) {
    std::vector<Stock> produced = stock_where(produced_goods);
    std::vector<Stock> bonded = stock_where(bonded_trade_goods);
    std::vector<Stock> surplus = stock_where([](const Enterprise& e, const Holding& h) {
      return e.archetype->trade == Trade::kConstruction && h.status == GoodsStatus::kDomestic &&
             movable(h);
    });
    if (trade_goods_only) {
      produced.clear();
      surplus.clear();
    }
    const size_t kind = rng_.weighted(
        {produced.empty() ? 0 : 50, bonded.empty() ? 0 : 50, surplus.empty() ? 0 : 3});
    if (kind > 2) return std::nullopt;
    Draft d;
    d.second = second;
    d.movement = Movement::kSecondLineExit;
    d.purpose = "trade";
    d.channel = channel(2, "out");
    d.fx = &currency_for_mainland_buyer();
    if (kind == 0) {
      const Stock s = produced[rng_.index(produced.size())];
      d.declarant = s.owner;
      const Quantity q = part_of(s.holding->balance, 30, 90, units(s.holding->product->lot_step));
      const Lot content = peek(*s.holding, q);
      d.lines.push_back(outgoing(*s.holding, q, produced_sale_value(content), *d.fx));
    } else if (kind == 1) {
      const Stock s = bonded[rng_.index(bonded.size())];
      d.declarant = s.owner;
      add_trade_lines(d, s, bonded, 10, 60, 108, 160);
    } else {
      const Stock s = surplus[rng_.index(surplus.size())];
      d.declarant = s.owner;
      d.fx = &fx_.at("CNY");
      const Quantity q = part_of(s.holding->balance, 10, 30, units(s.holding->product->lot_step));
      d.lines.push_back(
          outgoing(*s.holding, q, marked_up(peek(*s.holding, q).value, 92, 100), *d.fx));
    }
    return d;
  }

  // One line from `first`, and now and then a second article of the same
  // owner from `stock`: lo..hi % of the holding, priced at cost marked up.
  void add_trade_lines(Draft& d, const Stock& first, const std::vector<Stock>& stock, int64_t lo,
                       int64_t hi, int64_t up_lo, int64_t up_hi) {
    std::vector<Holding*> holdings{first.holding};
    if (rng_.percent(30)) {
      std::vector<Holding*> more;
      for (const Stock& s : stock) {
        if (s.owner == first.owner && s.holding != first.holding) more.push_back(s.holding);
      }
      if (!more.empty()) holdings.push_back(more[rng_.index(more.size())]);
    }
    for (Holding* h : holdings) {
      // Whole cases, pallets or cars: the step the goods are shipped in.
      const Quantity q = part_of(h->balance, lo, hi, units(h->product->lot_step));
      d.lines.push_back(outgoing(*h, q, marked_up(peek(*h, q).value, up_lo, up_hi), *d.fx));
    }
  }

  // The price of produced goods: the first exit of the day clears the
  // value-added threshold, the second misses it, and after that about three
  // in four clear it, by 4 to 60 points (or miss by 4 to 22), so rounding
  // never decides.
  Money produced_sale_value(const Lot& content) {
    const int64_t threshold = policy_->value_added_threshold.ppm;
    const int exit = produced_exits_++;
    const bool clears = exit == 0 || (exit != 1 && rng_.percent(75));
    const int64_t ratio =
        clears ? threshold + rng_.between(40'000, 600'000)
               : std::max<int64_t>(threshold - rng_.between(40'000, 220'000), -200'000);
    const Money m = content.foreign, d = content.domestic;
    int128 sale = 0;
    switch (policy_->value_added_formula) {
      case ValueAddedFormula::kOverMaterials:  // (S-M-D)/(M+D): S = (M+D)(1+r)
        sale = div_round_half_up(int128{(m + d).fen} * (kPpmPerUnit + ratio), kPpmPerUnit);
        break;
      case ValueAddedFormula::kOverForeign:  // (S-M)/M: S = M(1+r)
        sale =
            div_round_half_up(int128{(m.fen > 0 ? m : d).fen} * (kPpmPerUnit + ratio), kPpmPerUnit);
        break;
      case ValueAddedFormula::kOverSale:  // (S-M)/S: S = M/(1-r)
        sale = ratio < kPpmPerUnit && m.fen > 0
                   ? div_round_half_up(int128{m.fen} * kPpmPerUnit, kPpmPerUnit - ratio)
                   : int128{(m + d).fen} * 2;
        break;
    }
    return Money{std::max<int64_t>(static_cast<int64_t>(sale), 100)};
  }

  // Back to Macao: re-exports of bonded goods (no taxes either way) and
  // zone-made goods sold abroad.
  std::optional<Draft> first_line_exit(int64_t second) {
    std::vector<Stock> bonded = stock_where(bonded_trade_goods);
    std::vector<Stock> produced = stock_where(produced_goods);
    const size_t kind = rng_.weighted({bonded.empty() ? 0 : 4, produced.empty() ? 0 : 3});
    if (kind > 1) return std::nullopt;
    const std::vector<Stock>& from = kind == 0 ? bonded : produced;
    const Stock s = from[rng_.index(from.size())];
    Draft d;
    d.second = second;
    d.movement = Movement::kFirstLineExit;
    d.declarant = s.owner;
    d.purpose = s.owner->archetype->purpose == "logistics" ? "logistics" : "trade";
    d.channel = channel(1, "out");
    d.fx = &currency_for_macao_buyer();
    if (kind == 0) {
      add_trade_lines(d, s, bonded, 20, 60, 103, 125);
    } else {
      const Quantity q = part_of(s.holding->balance, 20, 60, units(s.holding->product->lot_step));
      d.lines.push_back(
          outgoing(*s.holding, q, marked_up(peek(*s.holding, q).value, 120, 180), *d.fx));
    }
    return d;
  }

  // Inside the zone: packaged chips to the assembler whose recipe takes
  // them, bonded goods from wholesalers to shops and traders, and now and
  // then exempt equipment lent on between approved importers.
  std::optional<Draft> transfer(int64_t second) {
    std::vector<Stock> parts = stock_where([this](const Enterprise& e, const Holding& h) {
      return produced_goods(e, h) && !takers_of(e, h).empty();
    });
    std::vector<Stock> goods = stock_where([](const Enterprise& e, const Holding& h) {
      return bonded_trade_goods(e, h) && !h.came_by_transfer;
    });
    // Machines are lent on in the afternoon, once the morning's work is done.
    std::vector<Stock> equipment = stock_where([&](const Enterprise& e, const Holding& h) {
      return second >= hm(14, 0) && h.status == GoodsStatus::kExempt && e.duty_free_importer &&
             h.balance.e4 >= kQuantityUnit && h.product->lot_step == 1 && !h.came_by_transfer;
    });
    const size_t kind =
        rng_.weighted({parts.empty() ? 0 : 2, goods.empty() ? 0 : 5, equipment.empty() ? 0 : 1});
    if (kind > 2) return std::nullopt;
    const std::vector<Stock>& from = kind == 0 ? parts : (kind == 1 ? goods : equipment);
    const Stock s = from[rng_.index(from.size())];
    std::vector<Enterprise*> takers;
    if (kind == 0) {
      takers = takers_of(*s.owner, *s.holding);
    } else {
      for (Enterprise& e : enterprises_) {
        const Trade t = e.archetype->trade;
        // Goods go to another trader in them; machines to a firm of the same trade.
        const bool fits = kind == 1 ? std::find(e.imports.begin(), e.imports.end(),
                                                s.holding->product) != e.imports.end()
                                    : (e.duty_free_importer && t == s.owner->archetype->trade);
        const bool supplier = std::find(s.holding->suppliers.begin(), s.holding->suppliers.end(),
                                        &e) != s.holding->suppliers.end();
        if (&e != s.owner && fits && !supplier && can_hold(e, *s.holding)) takers.push_back(&e);
      }
    }
    if (takers.empty()) return std::nullopt;
    Draft d;
    d.second = second;
    d.movement = Movement::kTransfer;
    d.declarant = s.owner;
    d.counterparty = takers[rng_.index(takers.size())];
    d.purpose = kind == 0 ? "processing" : (kind == 1 ? "trade" : "own_use");
    d.fx = &fx_.at("CNY");
    const Quantity q =
        kind == 2 ? units(1)
                  : part_of(s.holding->balance, 10, 50, units(s.holding->product->lot_step));
    // Zone prices: at cost or a little above (the 30 % rule is judged when
    // goods leave, on the value they carry, not on what was paid here).
    d.lines.push_back(
        outgoing(*s.holding, q, marked_up(peek(*s.holding, q).value, 100, 125), *d.fx));
    return d;
  }

  // Enterprises whose recipe takes this zone-made part.
  std::vector<Enterprise*> takers_of(const Enterprise& owner, const Holding& h) {
    std::vector<Enterprise*> out;
    for (Enterprise& e : enterprises_) {
      if (&e == &owner || e.recipe == nullptr || !can_hold(e, h)) continue;
      if (receiver_use(e, *h.product, Use::kProduced) == Use::kInput) out.push_back(&e);
    }
    return out;
  }

  // Whether the receiver's book can take the article without mixing
  // statuses under one article code (the engine refuses such draws later).
  static bool can_hold(const Enterprise& e, const Holding& h) {
    auto it = e.book.find(h.product->item);
    return it == e.book.end() || it->second.status == h.status;
  }

  // Shops in the zone selling bonded goods to residents and visitors: the
  // import taxes fall due as at the second line.
  std::optional<Draft> sale_to_individual(int64_t second) {
    std::vector<Stock> shelves = stock_where([](const Enterprise& e, const Holding& h) {
      return e.archetype->retail && h.status == GoodsStatus::kBonded && h.use == Use::kTrade &&
             h.product->retail_e4 > 0 && h.balance.e4 >= h.product->retail_e4;
    });
    if (shelves.empty()) return std::nullopt;
    const Stock s = shelves[rng_.index(shelves.size())];
    Draft d;
    d.second = second;
    d.movement = Movement::kSaleToIndividual;
    d.declarant = s.owner;
    d.purpose = "trade";
    d.fx = &fx_.at("CNY");
    std::vector<Holding*> basket{s.holding};
    if (rng_.percent(25)) {
      for (const Stock& other : shelves) {
        if (other.owner == s.owner && other.holding != s.holding) {
          basket.push_back(other.holding);
          break;
        }
      }
    }
    for (Holding* h : basket) {
      // A bottle or two, a watch, a few T-shirts; retail prices.
      const int64_t most = h->product->fen_min >= 1'000'000 ? 1 : 4;
      const int64_t n = std::min(rng_.between(1, most), h->balance.e4 / h->product->retail_e4);
      const Quantity q{h->product->retail_e4 * n};
      d.lines.push_back(outgoing(*h, q, marked_up(peek(*h, q).value, 160, 260), *d.fx));
    }
    return d;
  }

  // A production run: as many batches as the shift and the stock allow.
  void processing_run(int64_t second) {
    struct Plan {
      Enterprise* e;
      std::vector<std::string_view> items;  // the alternative used for each input
      int64_t batches;
    };
    std::vector<Plan> plans;
    for (Enterprise& e : enterprises_) {
      if (e.recipe == nullptr) continue;
      Plan plan{&e, {}, e.recipe->max_batches};
      for (const RecipeInput& in : e.recipe->inputs) {
        if (in.per_batch == 0) continue;
        std::string_view chosen;
        int64_t batches = 0;
        for (std::string_view item : in.items) {
          if (item.empty()) continue;
          auto it = e.book.find(item);
          if (it == e.book.end() || it->second.ready_at > second) continue;
          batches = it->second.balance.e4 / (need_per_batch(*e.recipe, item) * kQuantityUnit);
          if (batches > 0) {
            chosen = item;
            break;
          }
        }
        plan.items.push_back(chosen);
        plan.batches = std::min(plan.batches, batches);
      }
      if (plan.batches > 0) plans.push_back(std::move(plan));
    }
    if (plans.empty()) return;
    Plan& plan = plans[rng_.index(plans.size())];
    Enterprise& e = *plan.e;
    const Recipe& r = *e.recipe;
    const int64_t batches = rng_.between(std::max<int64_t>(1, plan.batches / 2), plan.batches);

    std::string json;
    JsonWriter w(json);
    begin_command(w, "process", second);
    w.field("enterprise", e.demo.uscc);
    Lot content;
    const auto consume = [&](std::string_view item, int64_t per_batch) {
      const Quantity q = units(per_batch * batches);
      w.begin_object().field("item", item).field("quantity", format_quantity(q)).end_object();
      for (const Lot& portion : take(e.book.find(item)->second, q)) {
        content.foreign += portion.foreign;
        content.domestic += portion.domestic;
      }
    };
    w.key("inputs").begin_array();
    size_t k = 0;
    for (const RecipeInput& in : r.inputs) {
      if (in.per_batch > 0) consume(plan.items[k++], in.per_batch);
    }
    w.end_array();
    if (!r.loss_item.empty()) {
      w.key("losses").begin_array();
      consume(r.loss_item, r.loss_per_batch);
      w.end_array();
    }
    const Product& out = product(r.output);
    Holding& made = holding(e, out, GoodsStatus::kProduced, Use::kProduced, "CN", second);
    const Quantity q = units(r.output_per_batch * batches);
    w.key("outputs").begin_array().begin_object();
    w.field("item", out.item).field("hs", made.hs).field("quantity", format_quantity(q));
    w.field("unit", made.unit).field("description", out.description);
    w.end_object().end_array().end_object();
    day_.commands.push_back(std::move(json));
    // The engine values produced goods at the content they carry.
    receive(made, Lot{q, content.foreign + content.domestic, content.foreign, content.domestic});
  }

  // An evening count in a warehouse: mostly as booked; now and then a few
  // units short (breakage, pilferage) or over (a miscount).
  void stocktake(int64_t second) {
    Enterprise* e = pick_enterprise([](const Enterprise& x) -> int64_t {
      if (x.recipe != nullptr || x.counted) return 0;
      int64_t held = 0;
      for (const auto& [item, h] : x.book) held += h.balance.e4 > 0 ? 1 : 0;
      return held >= 2 ? 1 : 0;
    });
    if (e == nullptr) return;
    e->counted = true;
    std::vector<Holding*> counted;
    std::vector<size_t> bulk;  // goods counted by the hundred, where a count can be off
    for (auto& [item, h] : e->book) {
      if (h.balance.e4 <= 0 || counted.size() == 12) continue;
      if (h.balance.e4 >= 100 * kQuantityUnit) bulk.push_back(counted.size());
      counted.push_back(&h);
    }
    const size_t none = counted.size();
    const size_t short_one =
        !bulk.empty() && rng_.percent(60) ? bulk[rng_.index(bulk.size())] : none;
    const size_t over_one =
        !bulk.empty() && rng_.percent(25) ? bulk[rng_.index(bulk.size())] : none;

    std::string json;
    JsonWriter w(json);
    begin_command(w, "stocktake", second);
    w.field("enterprise", e->demo.uscc);
    w.key("counts").begin_array();
    for (size_t i = 0; i < counted.size(); ++i) {
      Holding& h = *counted[i];
      Quantity count = h.balance;
      if (i == short_one) {
        // Half a per cent to two per cent gone, at least one unit.
        const int64_t missing = h.balance.e4 * rng_.between(5, 20) / 1000;
        count = Quantity{h.balance.e4 - std::max(kQuantityUnit, missing - missing % kQuantityUnit)};
        take(h, h.balance - count);
      } else if (i == over_one) {
        count = h.balance + units(rng_.between(1, 3));
        // An overage is booked at no value, in the status of the newest lot.
        receive(h, Lot{count - h.balance, Money{}, Money{}, Money{}});
      }
      w.begin_object().field("item", h.product->item);
      w.field("quantity", format_quantity(count)).end_object();
    }
    w.end_array().end_object();
    day_.commands.push_back(std::move(json));
  }

  // ---- the clerks' mistakes ----

  // A declaration a careless clerk would send, marked in DemoDay so tests
  // and the demo can tell it from a bug: about one in a hundred. The model
  // books are left alone, since the engine will refuse it.
  void deliberate_error(int64_t second) {
    const Flaw flaw = static_cast<Flaw>(next_flaw_);
    next_flaw_ = (next_flaw_ + 1) % kFlawCount;
    std::optional<Draft> d;
    if (flaw == Flaw::kTooMuch) d = second_line_exit(second, true);
    if (!d) d = first_line_entry(second);
    if (!d) return declare(second);
    std::string uscc = d->declarant->demo.uscc;
    Line& line = d->lines.front();
    switch (flaw) {
      case Flaw::kWrongCheckCharacter:
        // One character off at the end of the credit code: invalid_uscc.
        uscc.back() = wrong_check(uscc);
        break;
      case Flaw::kUnknownHsCode: {
        // A code that is real but not in the pack's tariff: unknown_hs_code.
        for (std::string_view code : kCodesNotInTariff) {
          if (policy_->tariff.find(code) == nullptr) {
            line.hs = std::string(code);
            break;
          }
        }
        if (policy_->tariff.find(line.hs) != nullptr) uscc.back() = wrong_check(uscc);
        break;
      }
      case Flaw::kWrongUnit:
        // Cartons counted instead of the tariff's unit: unit_mismatch.
        line.unit = line.unit == "kg" ? "pcs" : "kg";
        break;
      case Flaw::kTooMuch:
        // A zero too many on an exit: insufficient_stock (with nothing in
        // stock to send out, an entry with the wrong unit instead).
        if (line.from != nullptr) {
          line.quantity = line.from->balance + Quantity{line.quantity.e4 * 9};
        } else {
          line.unit = line.unit == "kg" ? "pcs" : "kg";
        }
        break;
    }
    day_.deliberate_errors.push_back(day_.commands.size());
    day_.commands.push_back(declaration_json(*d, uscc));
  }

  char wrong_check(const std::string& uscc) {
    const size_t was = kUsccAlphabet.find(uscc.back());
    return kUsccAlphabet[(was + 1 + rng_.index(kUsccAlphabet.size() - 1)) % kUsccAlphabet.size()];
  }

  const PolicyPack& pack_;
  const DemoOptions options_;
  Date day_date_;                          // the day being made
  const PolicyVersion* policy_ = nullptr;  // in force on it
  Rng rng_;                                // one stream over the run's days
  int64_t days_ = 0;                       // made so far
  int64_t day_start_ = 0;                  // unix seconds of the day's local midnight
  // Stable addresses: holdings point at their suppliers across days.
  std::deque<Enterprise> enterprises_;
  std::set<std::string> names_, usccs_;                 // taken, over the run
  std::map<std::string_view, Fx> fx_;                   // the currencies usable today (CNY always)
  std::map<std::string, Rate, std::less<>> rates_set_;  // "MOP 2024-09": set by a set_rate of ours
  DemoDay day_;
  int next_id_ = 0;
  int next_flaw_ = 0;
  int produced_exits_ = 0;
  int64_t now_ = 0;  // the slot being filled: goods not yet ready_at it stay put
};

DemoZone::DemoZone(const PolicyPack& pack, const DemoOptions& options)
    : builder_(std::make_unique<Builder>(pack, options)) {}

DemoZone::~DemoZone() = default;

DemoDay DemoZone::next_day() {
  return builder_->next_day();
}

DemoDay make_demo_day(const PolicyPack& pack, const DemoOptions& options) {
  return DemoZone(pack, options).next_day();
}

}  // namespace zg::demo
