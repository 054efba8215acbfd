# Probe: templates.py with its boilerplate paragraphs between the story's paragraphs (a box halfway
# down what the page keeps of the story), not below it. See the README's blind spots.
# usage: python3 templates_inside.py DEV_DIR OUT_DIR
import os, runpy, sys
sys.argv.append('--inside')
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'templates.py'), run_name='__main__')
