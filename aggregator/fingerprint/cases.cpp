// Options are lenient: an option adds values a fact may take, it never removes the default ones,
// and each case may take its own option. A configuration can thus only explain behaviour, never
// accuse; precision is lost only where two options would exclude each other, which no verdict
// needs. A session that failed (no answer) says nothing unless the reference names that failure.
#include "aggregator/fingerprint/cases.h"

#include <algorithm>
#include <map>
#include <set>

namespace eo::aggregator::fingerprint {

namespace {

using reference::Implementation;
using reference::Variant;
using reference::VersionSet;

constexpr std::string_view kFailed = "a failed session (network, Tor or a limit reached earlier)";

// A fact the implementation lists, with the variants that allow its value.
struct Checked {
  const Fact* fact;
  std::vector<const Variant*> allowed;
};

// The facts of one case in one observation: one exchange with the server.
struct Instance {
  std::string observation_id;
  std::vector<Checked> facts;
  std::vector<const Fact*> unexplained;  // values that no variant allows
  bool counts = false;                   // has a behaviour fact, not only version facts
  std::vector<const Fact*> failures;     // failures no variant names: they say nothing
  VersionSet allowed;                    // versions where one option (or none) explains it all

  // The versions where the defaults, plus `option` when given, explain every fact.
  VersionSet under(const std::string& option, VersionSet all) const {
    VersionSet out = all;
    for (const auto& c : facts) {
      VersionSet fact;
      for (const Variant* v : c.allowed) {
        if (v->is_default() || v->option == option) fact = fact | v->versions;
      }
      out = out & fact;
    }
    return out;
  }

  std::set<std::string> options() const {
    std::set<std::string> out;
    for (const auto& c : facts) {
      for (const Variant* v : c.allowed) {
        if (!v->is_default()) out.insert(v->option);
      }
    }
    return out;
  }
};

struct Case {
  std::vector<Instance> instances;
  bool contradicted = false;
  VersionSet allowed;
};

std::string joined(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : std::string(separator)) + p;
  return out;
}

// What the reference allows for one fact, e.g. "result (< 1.19) | 1 use ... (< 1.19, with
// DROP_CLIENT_UNKNOWN)".
std::string allowed_text(const reference::FactRule& rule) {
  std::vector<std::string> parts;
  for (const auto& v : rule.variants) {
    std::vector<std::string> notes;
    if (!v.versions_text.empty()) notes.push_back(v.versions_text);
    if (!v.is_default()) notes.push_back("with " + v.option);
    parts.push_back(v.value.text + (notes.empty() ? "" : " (" + joined(notes, ", ") + ")"));
  }
  return joined(parts, " | ");
}

// "value" for one fact, "name = value; ..." for several.
std::string observed_text(const std::set<std::pair<std::string, std::string>>& facts) {
  if (facts.size() == 1) return facts.begin()->second;
  std::vector<std::string> parts;
  for (const auto& [name, value] : facts) parts.push_back(name + " = " + value);
  return joined(parts, "; ");
}

std::vector<std::string> ids_of(const Case& c) {
  std::set<std::string> ids;
  for (const auto& i : c.instances) ids.insert(i.observation_id);
  return {ids.begin(), ids.end()};
}

class Judge {
 public:
  Judge(const Implementation& impl, const std::vector<Fact>& facts) : impl_(impl) {
    std::map<std::pair<std::string, std::string>, Instance> instances;  // (case, observation)
    for (const auto& f : facts) {
      auto& i = instances[{case_of(f.name), f.observation_id}];
      i.observation_id = f.observation_id;
      check(f, i);
    }
    for (auto& [key, i] : instances) {
      i.allowed = i.under("", all());
      for (const auto& o : i.options()) i.allowed = i.allowed | i.under(o, all());
      auto& c = cases_[key.first];
      if (c.instances.empty()) c.allowed = all();
      c.contradicted |= !i.unexplained.empty() || i.allowed.empty();
      c.allowed = c.allowed & i.allowed;
      c.instances.push_back(std::move(i));
    }
  }

  Judgement run(std::string_view claimed_version) {
    VersionSet behaviour = all();
    for (const auto& [id, c] : cases_) {
      if (!c.contradicted) behaviour = behaviour & c.allowed;
    }
    VersionSet claim = claimed_version.empty() ? VersionSet{} : impl_.line.claimed(claimed_version);
    VersionSet judged = behaviour;  // the versions each case is judged at
    VersionSet shown = behaviour;
    if (behaviour.empty()) {
      out_.contradictions.push_back(version_conflict());
      judged = all();
    } else if (!claim.empty() && !behaviour.intersects(claim)) {
      out_.contradictions.push_back(claim_conflict(claimed_version, behaviour));
    } else if (!claim.empty()) {
      judged = behaviour & claim;
      shown = behaviour | claim;
      if (claim.lowest() % 2 == 1 && !behaviour.contains(claim.lowest())) {
        out_.explained.push_back({"version", "claims " + std::string(claimed_version),
                                  "a build after the " + std::string(claimed_version) +
                                      " release, behaving like " + impl_.line.describe(behaviour),
                                  restricting_ids()});
      }
    }
    out_.version_range = impl_.line.describe(shown);
    for (const auto& [id, c] : cases_) {
      if (c.contradicted) {
        out_.contradictions.push_back(contradiction(id, c));
      } else {
        classify(id, c, judged);
      }
    }
    auto by_fact = [](const auto& a, const auto& b) { return a.fact < b.fact; };
    std::stable_sort(out_.contradictions.begin(), out_.contradictions.end(), by_fact);
    std::stable_sort(out_.explained.begin(), out_.explained.end(), by_fact);
    return std::move(out_);
  }

 private:
  VersionSet all() const { return impl_.line.all(); }

  void check(const Fact& f, Instance& i) const {
    bool behaviour = true;
    const reference::FactRule* rule = impl_.fact(f.name);
    if (!rule) {
      rule = impl_.version_fact(f.name);
      behaviour = false;
    }
    if (!rule) return;  // a fact this implementation's reference says nothing about
    Checked c{&f, {}};
    for (const auto* list : {&rule->variants, &impl_.any_fact}) {
      for (const auto& v : *list) {
        if (v.value.matches(f.value)) c.allowed.push_back(&v);
      }
    }
    if (c.allowed.empty()) {
      if (!behaviour) return;  // a version fact outside the list: another client range
      if (f.value.starts_with("failure ")) {
        i.failures.push_back(&f);
      } else {
        i.unexplained.push_back(&f);
      }
      return;
    }
    i.counts |= behaviour;
    i.facts.push_back(std::move(c));
  }

  Contradiction contradiction(const std::string& id, const Case& c) const {
    std::set<std::pair<std::string, std::string>> seen;
    std::set<std::string> names, ids;
    for (const auto& i : c.instances) {
      if (i.unexplained.empty() && !i.allowed.empty()) continue;
      ids.insert(i.observation_id);
      // Values no variant allows; else the facts that no one version explains together.
      std::vector<const Fact*> facts = i.unexplained;
      if (facts.empty()) {
        for (const auto& checked : i.facts) facts.push_back(checked.fact);
      }
      for (const Fact* f : facts) {
        seen.insert({f->name, f->value});
        names.insert(f->name);
      }
    }
    std::vector<std::string> expected;
    for (const auto& name : names) {
      const auto* rule = impl_.fact(name) ? impl_.fact(name) : impl_.version_fact(name);
      expected.push_back(names.size() == 1 ? allowed_text(*rule)
                                           : name + ": " + allowed_text(*rule));
    }
    return {id,
            observed_text(seen),
            joined(expected, "; "),
            {ids.begin(), ids.end()},
            {names.begin(), names.end()}};
  }

  // Matched when one exchange shows the defaults at a judged version; else what explains it.
  void classify(const std::string& id, const Case& c, VersionSet judged) {
    bool matched = false;
    std::set<std::string> reasons;
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& i : c.instances) {
      for (const Fact* f : i.failures) {
        reasons.insert(std::string(kFailed));
        seen.insert({f->name, f->value});
      }
      if (!i.counts) continue;
      for (const auto& checked : i.facts) seen.insert({checked.fact->name, checked.fact->value});
      if (i.under("", all()).intersects(judged)) {
        matched = true;
        for (const auto& checked : i.facts) {
          for (const Variant* v : checked.allowed) {
            if (v->is_default() && !v->versions_text.empty() && v->versions.intersects(judged)) {
              reasons.insert("version " + v->versions_text);
            }
          }
        }
        continue;
      }
      for (const auto& o : i.options()) {
        if (!i.under(o, all()).intersects(judged)) continue;
        std::set<std::string> versions;
        for (const auto& checked : i.facts) {
          for (const Variant* v : checked.allowed) {
            if (v->option == o && !v->versions_text.empty()) versions.insert(v->versions_text);
          }
        }
        std::vector<std::string> texts(versions.begin(), versions.end());
        reasons.insert("configuration " + o +
                       (texts.empty() ? "" : " (" + joined(texts, ", ") + ")"));
      }
    }
    if (matched) ++out_.matched;
    if (reasons.empty()) return;
    out_.explained.push_back(
        {id, observed_text(seen), joined({reasons.begin(), reasons.end()}, "; "), ids_of(c)});
  }

  // The cases that place the version (allow less than every version).
  std::vector<std::pair<std::string, const Case*>> restricting() const {
    std::vector<std::pair<std::string, const Case*>> out;
    for (const auto& [id, c] : cases_) {
      if (!c.contradicted && !(c.allowed == all())) out.emplace_back(id, &c);
    }
    return out;
  }

  std::vector<std::string> restricting_ids() const {
    std::set<std::string> ids;
    for (const auto& [id, c] : restricting()) {
      for (const auto& i : ids_of(*c)) ids.insert(i);
    }
    return {ids.begin(), ids.end()};
  }

  Contradiction version_conflict() const {
    std::vector<std::string> observed, names;
    for (const auto& [id, c] : restricting()) {
      std::string range = impl_.line.describe(c->allowed);
      if (c->allowed.empty()) range = "no one version";
      observed.push_back(id + ": " + (range.empty() ? "some versions" : range));
      names.push_back(id);
    }
    return {"version", joined(observed, "; "), "one version that shows every case",
            restricting_ids(), names};
  }

  Contradiction claim_conflict(std::string_view claimed, VersionSet behaviour) const {
    std::vector<std::string> names;
    for (const auto& [id, c] : restricting()) names.push_back(id);
    return {"version", "claims " + std::string(claimed),
            "a version the behaviour allows: " + impl_.line.describe(behaviour) + " (" +
                joined(names, ", ") + ")",
            restricting_ids(), names};
  }

  const Implementation& impl_;
  std::map<std::string, Case> cases_;
  Judgement out_;
};

}  // namespace

Judgement judge_cases(const Implementation& impl, const std::vector<Fact>& facts,
                      std::string_view claimed_version) {
  return Judge(impl, facts).run(claimed_version);
}

}  // namespace eo::aggregator::fingerprint
