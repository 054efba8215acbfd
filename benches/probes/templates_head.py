# Probe: templates.py with its boilerplate paragraphs above the story (a header of long lines), not
# below it. The footer rule of src/template.rs does not see these; see the README's blind spots.
# usage: python3 templates_head.py DEV_DIR OUT_DIR
import os, runpy, sys
sys.argv.append('--head')
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'templates.py'), run_name='__main__')
