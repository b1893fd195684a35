// Language identification by letter-trigram profiles (Joshi, Halseth &
// Kanerva 2016), packed bipolar at D = 10000.
//
// Each byte has a random atom C[b]; a trigram abc is ρ²(C[a]) ⊗ ρ(C[b]) ⊗ C[c]
// (encode::NGramEncoder), so different orders give unrelated vectors. A
// language profile is the MAP-I sum of all trigrams of its training text;
// an unseen sentence is classified by the cosine between its own trigram sum
// and each profile. Profiles share a trigram's direction in proportion to how
// often both texts use it, so the profile whose trigram statistics match
// wins.
//
// The short training and test texts below were written for this example
// (no outside corpus). Exits 1 if any test sentence is misclassified.
#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/encode.hpp>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace hv = hypervec;

namespace {

struct Language {
  const char* name;
  const char* training;
  std::vector<const char*> tests;
};

const std::vector<Language> kLanguages = {
    {"english",
     "the weather was cold this morning so we stayed at home and read books by the window. "
     "my brother works in a small shop near the station where he sells old maps and postcards. "
     "when the children came back from school they were hungry and wanted something to eat. "
     "there is a long road through the forest that leads to the village on the other side of the "
     "hill. she said that the meeting would start later than planned because the train was late. "
     "people often think that learning a new language is hard but it only takes patience and time.",
     {"we walked along the river until the sun went down behind the trees.",
      "the teacher asked the students to write a short story about their summer.",
      "which of these roads should I take to reach the old bridge?"}},
    {"italian",
     "questa mattina faceva freddo e siamo rimasti a casa a leggere libri vicino alla finestra. "
     "mio fratello lavora in un piccolo negozio vicino alla stazione dove vende vecchie carte e "
     "cartoline. quando i bambini sono tornati da scuola avevano fame e volevano mangiare qualcosa. "
     "c'e una strada lunga attraverso il bosco che porta al paese dall'altra parte della collina. "
     "lei ha detto che la riunione sarebbe cominciata piu tardi perche il treno era in ritardo. "
     "spesso la gente pensa che imparare una lingua nuova sia difficile ma ci vuole solo pazienza. "
     "ogni giorno prendo l'autobus per andare al lavoro e la sera torno a casa con gli amici. "
     "di solito la domenica andiamo a vedere le partite di calcio in citta con i nostri figli.",
     {"abbiamo camminato lungo il fiume finche il sole non e tramontato dietro gli alberi.",
      "la maestra ha chiesto agli studenti di scrivere un racconto breve sulla loro estate.",
      "quale di queste strade devo prendere per arrivare al vecchio ponte?"}},
    {"german",
     "heute morgen war es kalt und wir sind zu hause geblieben und haben am fenster bucher gelesen. "
     "mein bruder arbeitet in einem kleinen laden beim bahnhof wo er alte karten und postkarten "
     "verkauft. als die kinder aus der schule kamen hatten sie hunger und wollten etwas essen. "
     "es gibt einen langen weg durch den wald der zum dorf auf der anderen seite des hugels fuhrt. "
     "sie sagte dass die sitzung spater beginnen wurde weil der zug verspatung hatte. "
     "viele leute denken dass es schwer ist eine neue sprache zu lernen aber es braucht nur geduld.",
     {"wir sind am fluss entlang gegangen bis die sonne hinter den baumen unterging.",
      "die lehrerin bat die schuler eine kurze geschichte uber ihren sommer zu schreiben.",
      "welchen von diesen wegen soll ich nehmen um zur alten brucke zu kommen?"}},
    {"french",
     "ce matin il faisait froid alors nous sommes restes a la maison pour lire pres de la fenetre. "
     "mon frere travaille dans une petite boutique pres de la gare ou il vend de vieilles cartes "
     "et des cartes postales. quand les enfants sont rentres de l'ecole ils avaient faim et "
     "voulaient manger quelque chose. il y a une longue route a travers la foret qui mene au "
     "village de l'autre cote de la colline. elle a dit que la reunion commencerait plus tard parce "
     "que le train etait en retard. les gens pensent souvent qu'apprendre une nouvelle langue est "
     "difficile mais il faut seulement de la patience.",
     {"nous avons marche le long de la riviere jusqu'a ce que le soleil se couche.",
      "la maitresse a demande aux eleves d'ecrire une petite histoire sur leur ete.",
      "laquelle de ces routes dois-je prendre pour arriver au vieux pont?"}},
};

double cosine(std::span<const std::int32_t> a, std::span<const std::int32_t> b) {
  double ab = 0, aa = 0, bb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ab += static_cast<double>(a[i]) * b[i];
    aa += static_cast<double>(a[i]) * a[i];
    bb += static_cast<double>(b[i]) * b[i];
  }
  return (aa == 0 || bb == 0) ? 0.0 : ab / std::sqrt(aa * bb);
}

}  // namespace

int main() {
  constexpr std::size_t kDim = 10000;
  const hv::PackedMatrix letters = hv::bipolar::random_matrix(256, kDim, 2016);
  const hv::encode::NGramEncoder trigrams(letters.view(), 3);

  std::vector<hv::bipolar::Accumulator> profiles;
  for (const auto& language : kLanguages) {
    profiles.emplace_back(kDim);
    trigrams.add_text(language.training, profiles.back());
  }

  int failures = 0, total = 0;
  for (std::size_t truth = 0; truth < kLanguages.size(); ++truth) {
    for (const char* sentence : kLanguages[truth].tests) {
      hv::bipolar::Accumulator query(kDim);
      trigrams.add_text(sentence, query);
      std::size_t best = 0;
      std::vector<double> scores;
      for (std::size_t k = 0; k < profiles.size(); ++k) {
        scores.push_back(cosine(query.sums(), profiles[k].sums()));
        if (scores[k] > scores[best]) best = k;
      }
      const bool ok = best == truth;
      failures += ok ? 0 : 1;
      ++total;
      std::printf("%-8s (%.2f vs next %.2f) %s%s\n", kLanguages[best].name, scores[best],
                  [&] {
                    double second = -1;
                    for (std::size_t k = 0; k < scores.size(); ++k) {
                      if (k != best && scores[k] > second) second = scores[k];
                    }
                    return second;
                  }(),
                  sentence, ok ? "" : "   WRONG");
    }
  }
  std::printf("%d of %d sentences classified correctly\n", total - failures, total);
  return failures == 0 ? 0 : 1;
}
