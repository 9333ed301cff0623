import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { render } from 'preact';
import { App } from './app';
import { installKeyboard } from './keyboard';
import { restoreSession } from './session';
import { applyTheme, theme } from './theme';

applyTheme(theme.value);
installKeyboard();
void restoreSession();
render(<App />, document.getElementById('app') as HTMLElement);
