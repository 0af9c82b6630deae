// Every instruction family registers its handlers when imported here. To add a family, create
// exec/<family>.ts calling def() (see emulator/README.md, "Writing a handler") and import it below.
import './alu';
import './datamov';
import './stack';
import './control';
import './muldiv';
import './misc';
import './shift';
import './bit';
import './string';
import './bcd';
import './io';
import './system';
import './protected';
