"""`draft learn`: turn a sample report (范文) into a new document type.

The steps, one module each:

    reader        .txt / .md / .docx  → plain text
    cleaning      site residue and PDF wrap spaces removed (the checker's rules), gaps located
    outline       title, opening, 一、/（一）/1./（1） sections, 一是/二是 points, with offsets
    facts_finder  every gap and every sample-specific value → a named fact with a Chinese label
                  (registry: the facts found and their spans; measures: the measure words;
                  label_core: a label's noun from the words before a figure; found_dates:
                  years, dates, periods and weekdays; found_titles, found_names and
                  found_places: the title's, the people's and the places' facts;
                  found_counts: counts and other figures;
                  set_phrases: garbles and set phrases; outline_edits: numbering corrections)
    writer        schemas/<id>.yaml, prompts/<id>/<section>.j2 and <id>.facts.yaml, validated
    model_assist  (optional) better labels and descriptions from a model, checked, else ignored
"""

from pipeline.learn.learner import LearnResult, learn_sample

__all__ = ["LearnResult", "learn_sample"]
