# Two commands run the whole course:
#   make lab    set up (first time only) and open the course in JupyterLab
#   make test   set up (first time only) and run every test, notebooks included
.DEFAULT_GOAL := help
SHELL := /bin/bash

# The newest of Python 3.13, 3.12 and 3.11 that runs here (a pyenv shim that no installed version answers does not
# count), or the one PYTHON= names. .venv is made with it; another Python version makes a new .venv.
SUPPORTED_PYTHONS := 3.13 3.12 3.11
ifeq ($(origin PYTHON),undefined)
PYTHON := $(firstword $(foreach v,$(SUPPORTED_PYTHONS),$(shell python$(v) -c 'pass' >/dev/null 2>&1 && echo python$(v))) python3.11)
endif
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-python$(PYTHON_VERSION)
# Jupyter refuses to start as root (containers, CI) unless told it is on purpose.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: help setup lab lab-zh test browser-test site site-test canary outputs translations student grade grade-arguments hub collect return hub-test clean-venv

help:
	@echo "make lab      set up .venv if needed, then open the course in JupyterLab"
	@echo "make lab-zh   the same in Chinese (中文版): JupyterLab's menus in Chinese, opening notebooks/zh/00_start_here.ipynb"
	@echo "make test     set up .venv if needed, then run unit tests and every notebook (strict nbval, smoke mode)"
	@echo "make hub ROSTER=roster.csv [ADMIN=teacher] [HUB_IP=127.0.0.1] [HUB_PORT=8000]  serve the course to a class with JupyterHub (as root; TEACHING.md)"
	@echo "make collect LESSON=01 / make return LESSON=01  collect the class's notebooks from their homes / return the feedback"
	@echo "make browser-test  JupyterLab (started with make lab-zh) in headless Chromium: every widget drawn and moved (CI runs it)"
	@echo "make site     build the course's reading site, both languages, offline, into build/site/ (README: Reading the course on the web)"
	@echo "make site-test  build the site and test it (every page in Chromium with other hosts blocked, search, language switch)"
	@echo "make canary   the course on the newest torch/torchvision pair, numpy, matplotlib, JupyterLab and ipywidgets (.venv-canary), deprecations as errors; prints a table"
	@echo "make outputs  re-run every notebook for real and store its outputs (for course authors)"
	@echo "make translations  re-extract the helpers' messages, update and compile the Chinese catalog (for course authors)"
	@echo "make student  write the student edition (no solutions) to build/student/ and the solutions to build/teacher/ (TEACHING.md)"
	@echo "make grade LESSON=01 SUBMISSIONS=folder [OUT=folder] [JOBS=2] [CELL_LIMIT=120] [NOTEBOOK_LIMIT=600] [REGRADE=1] [NO_SANDBOX=1]  run and grade submitted notebooks (TEACHING.md; runs their code)"

# Re-installs only when requirements.txt or pyproject.toml change, or when PYTHON is another version than .venv's.
$(STAMP): requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found. Install Python 3.13, 3.12 or 3.11, or run: make PYTHON=/path/to/python3 $(MAKECMDGOALS)"; exit 1; }
	@case "$(PYTHON_VERSION)" in 3.11|3.12|3.13) ;; *) echo "error: $(PYTHON) is Python $(or $(PYTHON_VERSION),of no known version); the course runs on Python 3.11, 3.12 or 3.13. Run: make PYTHON=/path/to/python3.13 $(MAKECMDGOALS)"; exit 1;; esac
	@if test -x $(BIN)/python && ! $(BIN)/python -c 'import sys; sys.exit("%d.%d" % sys.version_info[:2] != "$(PYTHON_VERSION)")' 2>/dev/null; then echo "$(VENV) was made with another Python: making it again with Python $(PYTHON_VERSION) ($(PYTHON))"; rm -rf $(VENV); fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Setting up $(VENV) with Python $(PYTHON_VERSION) ($(PYTHON))"
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	$(BIN)/python -m pip install --disable-pip-version-check -q --no-deps -e .
	@rm -f $(VENV)/.installed*
	@touch $(STAMP)

setup: $(STAMP)

# LAB_ARGS passes extra options, e.g. make lab LAB_ARGS="--no-browser --port=8890"
# JupyterLab serves the whole course folder (both editions, README, TEACHING) and opens the start page: given only
# a file, `jupyter lab FILE` would serve FILE's folder and hide everything else.
LAB_ROOT := $(CURDIR)
lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir="$(LAB_ROOT)" "$(LAB_ROOT)/notebooks/00_start_here.ipynb" $(ROOT_FLAG) $(LAB_ARGS)

# The Chinese edition: the same JupyterLab, opened at the Chinese start page, with JupyterLab's own menus and dialogs
# in Chinese (the language pack in requirements.txt). tools/lab-zh/overrides.json makes Chinese the default language
# of this JupyterLab only: make lab stays English, and a language chosen in Settings → Language still wins.
LAB_ZH_SETTINGS := --LabApp.app_settings_dir="$(CURDIR)/tools/lab-zh"
lab-zh: setup
	$(BIN)/jupyter lab --ServerApp.root_dir="$(LAB_ROOT)" "$(LAB_ROOT)/notebooks/zh/00_start_here.ipynb" $(LAB_ZH_SETTINGS) $(ROOT_FLAG) $(LAB_ARGS)

# Smoke mode shrinks the work (and swaps in generated data where a download is needed); in smoke mode
# helpers.data_dir() is data/smoke-run/, so what a smoke run writes never lands beside a learner's real files.
# Two test processes run at a time, each notebook in its own kernel from .venv, each with one
# torch thread: two threads per process on a 2-core machine fight for the cores and can run 10x slower.
# Files are handed out in the order conftest.py gives them (the longest first), not by test count.
test: setup
	@echo "make test: Python $$($(BIN)/python -c 'import platform; print(platform.python_version())') ($(BIN)/python, made from $(PYTHON))"
	COURSE_SMOKE=1 COURSE_DATA_DIR="$(CURDIR)/data" OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder

# The reading site (tools/build_site.py, docs/): Sphinx and its packages (requirements-site.txt) go into .venv on the
# first make site only; requirements.txt's pins hold (a constraint). Offline, no notebook is executed.
SITE_STAMP := $(VENV)/.installed-site-python$(PYTHON_VERSION)
$(SITE_STAMP): $(STAMP) requirements-site.txt
	@echo "Adding the site's packages (requirements-site.txt) to $(VENV)"
	$(BIN)/python -m pip install --disable-pip-version-check -q -c requirements.txt -r requirements-site.txt
	@touch $(SITE_STAMP)

site: $(SITE_STAMP)
	$(BIN)/python tools/build_site.py

# Builds the site into a temporary folder and checks it (tests/test_site.py; Chromium as in make browser-test).
site-test: $(SITE_STAMP)
	COURSE_SITE_TEST=1 $(BIN)/python -m pytest -o addopts="-p no:cacheprovider -rs" tests/test_site.py

# The browser test (tests/test_browser.py): JupyterLab, started with make lab-zh on a copy of the course, driven by
# headless Chromium; every notebook with a widget runs, every widget is drawn and moved. About a minute, so make
# test leaves it out (its 3-minute budget); CI runs both.
browser-test: setup
	COURSE_BROWSER_RUN=1 COURSE_SMOKE=1 COURSE_DATA_DIR="$(CURDIR)/data" OMP_NUM_THREADS=1 $(BIN)/python -m pytest -o addopts="-p no:cacheprovider -rs" tests/test_browser.py

# A class on JupyterHub from this machine (TEACHING.md, "A class on JupyterHub"; as root): a server per student,
# each its own Unix account; collect copies each student's lesson notebook into build/submissions/lesson-NN/ for
# make grade, return puts each feedback file into its student's home.
hub: setup
	@test -n "$(ROSTER)" || { echo "error: make hub needs ROSTER=roster.csv (a 'username' column, one student a row)"; exit 2; }
	$(BIN)/python -m classroom.hub --roster "$(ROSTER)" $(if $(ADMIN),--admin "$(ADMIN)") $(if $(HUB_IP),--ip "$(HUB_IP)") $(if $(HUB_PORT),--port "$(HUB_PORT)") $(if $(HUB_PYTHON),--python "$(HUB_PYTHON)") $(HUB_ARGS)

collect: setup
	@test -n "$(LESSON)" || { echo "error: make collect needs LESSON=NN, e.g. LESSON=01"; exit 2; }
	$(BIN)/python -m classroom.collect collect --lesson "$(LESSON)" $(if $(HOMES),--homes "$(HOMES)") $(if $(OUT),--out "$(OUT)")

return: setup
	@test -n "$(LESSON)" || { echo "error: make return needs LESSON=NN, e.g. LESSON=01"; exit 2; }
	$(BIN)/python -m classroom.collect return --lesson "$(LESSON)" $(if $(HOMES),--homes "$(HOMES)") $(if $(FEEDBACK),--feedback "$(FEEDBACK)")

# The hub end to end with 30 students (tests/test_hub_system.py): makes and removes Unix accounts, so root only; CI
# runs it.
hub-test: setup
	COURSE_HUB_TEST=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -o addopts="-p no:cacheprovider -rs" -s tests/test_hub_system.py

# The newest versions learners may install next (tools/canary.py): its own .venv-canary, not compared outputs, the
# deprecation gate on; build/canary/report.md keeps the table.
canary: setup
	$(BIN)/python tools/canary.py --python $(PYTHON)

outputs: setup
	$(BIN)/python tools/run_notebooks.py

# Extract the messages the helpers show a learner, merge them into helpers/locale/*/LC_MESSAGES/course.po
# (new ones arrive untranslated) and compile course.mo, which is committed too.
translations: setup
	$(BIN)/python tools/messages.py

# The classroom kit (TEACHING.md). OUT=... writes somewhere other than build/.
student: setup
	$(BIN)/python -m classroom.student $(if $(OUT),--out "$(OUT)")

# Runs other people's code: read TEACHING.md first. Checked before setup, so a forgotten argument fails at once.
grade: grade-arguments setup
	$(BIN)/python -m classroom.grade "$(SUBMISSIONS)" --lesson "$(LESSON)" $(if $(OUT),--out "$(OUT)") $(if $(JOBS),--jobs "$(JOBS)") \
		$(if $(CELL_LIMIT),--cell-timeout "$(CELL_LIMIT)") $(if $(NOTEBOOK_LIMIT),--notebook-timeout "$(NOTEBOOK_LIMIT)") $(if $(REGRADE),--regrade) \
		$(if $(NO_SANDBOX),--no-sandbox)

grade-arguments:
	@test -n "$(LESSON)" || { echo "error: make grade needs LESSON, the two-digit lesson number, and SUBMISSIONS, the folder of collected notebooks; e.g. make grade LESSON=01 SUBMISSIONS=~/collected/01"; exit 2; }
	@test -n "$(SUBMISSIONS)" || { echo "error: make grade needs SUBMISSIONS, the folder of collected .ipynb files; e.g. make grade LESSON=$(LESSON) SUBMISSIONS=~/collected/$(LESSON)"; exit 2; }

clean-venv:
	rm -rf $(VENV)
